"""``manage.py export_fhir --out DIR``: one NDJSON file per resource type, every line a valid R4 resource;
a bad folder is refused before anything is written; an interrupted export leaves no finished-looking file."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from fhir.resources.R4B import get_fhir_model_class

from programs import export, selectors, services
from tests import factories
from tests.programs.test_fhir import codings, loinc_check_digit_ok
from tests.programs.test_program_services import entry


@pytest.fixture
def clinic(patient, other_patient, clinician, other_clinician, screen, prescribe):
    program = prescribe(patient, screen(patient))
    services.session_log_create(prescription=program, by=clinician, entry=entry())
    prescribe(other_patient, screen(other_patient, by=other_clinician), by=other_clinician)
    factories.PatientFactory(care_team=[clinician])  # never screened
    return program


@pytest.mark.django_db
def test_every_patient_s_record_is_written_one_file_per_type_every_line_valid(tmp_path, clinic):
    out = tmp_path / "export"
    stdout = StringIO()
    call_command("export_fhir", "--out", str(out), "--batch", "2", stdout=stdout)
    names = sorted(path.name for path in out.iterdir())
    assert names == sorted(f"{kind}.ndjson" for kind in export.TYPES)
    lines = {kind: (out / f"{kind}.ndjson").read_text().splitlines() for kind in export.TYPES}
    assert len(lines["Patient"]) == 3 and len(lines["CarePlan"]) == 2 and len(lines["ServiceRequest"]) == 2
    assert len(lines["Practitioner"]) == 2  # the two clinicians who screened, prescribed and logged
    ids = {kind: set() for kind in export.TYPES}
    for kind, rows in lines.items():
        for line in rows:
            resource = json.loads(line)
            assert resource["resourceType"] == kind
            get_fhir_model_class(kind).model_validate(resource)
            ids[kind].add(resource["id"])
            assert all(loinc_check_digit_ok(c["code"]) for c in codings(resource) if c["system"] == "http://loinc.org")
    # Resources name each other Type/id, and every name resolves within the export.
    observations = [json.loads(line) for line in lines["Observation"]]
    for observation in observations:
        kind, id_ = observation["subject"]["reference"].split("/")
        assert kind == "Patient" and id_ in ids["Patient"]
    pain = [o for o in observations if o["code"]["coding"][0]["code"] == "72514-3"]
    assert len(pain) == 2  # before and after the one session
    assert "Exported 3 patients" in stdout.getvalue() and "peak memory" in stdout.getvalue()


@pytest.mark.django_db
def test_a_folder_that_is_not_empty_is_refused_and_nothing_is_written(tmp_path, clinic):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(CommandError, match="is not empty"):
        call_command("export_fhir", "--out", str(tmp_path))
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("where", "message"),
    [("file", "is not a folder"), ("under-file", "does not exist"), ("proc", "is not writable")],
)
def test_a_folder_that_cannot_be_used_is_refused(tmp_path, clinic, where, message):
    target = tmp_path / "a-file"
    target.write_text("")
    out = {"file": target, "under-file": target / "export", "proc": "/proc/retrowalk-export"}[where]
    with pytest.raises(CommandError, match=message):
        call_command("export_fhir", "--out", str(out))
    assert [p.name for p in tmp_path.iterdir()] == ["a-file"]


@pytest.mark.django_db
def test_an_interrupted_export_leaves_no_file_named_as_finished(tmp_path, clinic, monkeypatch):
    loaded = selectors.fhir_records
    batches = []

    def interrupted_after_one_batch(patients):
        batches.append(patients)
        if len(batches) == 2:
            raise KeyboardInterrupt  # as Ctrl-C in the middle of the export
        return loaded(patients)

    monkeypatch.setattr(selectors, "fhir_records", interrupted_after_one_batch)
    out = tmp_path / "export"
    with pytest.raises(KeyboardInterrupt):
        export.export_ndjson(out, batch=1)
    assert len(batches) == 2
    assert list(out.iterdir()) == []  # neither finished files nor parts


@pytest.mark.django_db
def test_a_batch_below_one_is_refused(tmp_path):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("export_fhir", "--out", str(tmp_path / "x"), "--batch", "0")
    assert list(tmp_path.iterdir()) == []
