"""The record as FHIR R4: every Bundle validates with fhir.resources' R4B models (the R4-compatible
version), every LOINC code passes LOINC's mod-10 check digit, and only the care team and the patient
reach it."""

import json
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from patients.models import Condition
from patients.services import screening_record
from programs import fhir, services
from retrowalk.models import AccessAction, AccessRecord
from tests import factories
from tests.conftest import client_for
from tests.programs.test_program_services import entry


def loinc_check_digit_ok(code: str) -> bool:
    """LOINC's mod-10 check digit (the Luhn algorithm over the digits before the hyphen)."""
    body, check = code.split("-")
    total = 0
    for i, char in enumerate(reversed(body)):
        digit = int(char)
        if i % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return (10 - total % 10) % 10 == int(check)


def codings(value):
    """Every Coding anywhere in a resource."""
    if isinstance(value, dict):
        if "system" in value and "code" in value:
            yield value
        for item in value.values():
            yield from codings(item)
    elif isinstance(value, list):
        for item in value:
            yield from codings(item)


def test_the_check_digit_rule_accepts_the_verified_codes_and_refuses_a_wrong_one():
    assert loinc_check_digit_ok("89423-8") and loinc_check_digit_ok("72514-3") and loinc_check_digit_ok("82289-0")
    assert not loinc_check_digit_ok("52737-0")  # CLINICAL.md s8: fails LOINC's check digit
    assert not loinc_check_digit_ok("89423-7")


@pytest.fixture
def logged(patient, clinician, patient_user, screen, prescribe):
    program = prescribe(patient, screen(patient), baseline_pain=1)
    services.session_log_create(prescription=program, by=clinician, entry=entry(pain_before=2, pain_after=3))
    program.refresh_from_db()
    services.session_log_create(
        prescription=program, by=patient_user, entry=entry(event="near_fall", pain_before=1, effort=14)
    )
    return program


def bundle_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith('attachment; filename="retrowalk-record-')
    data = json.loads(response.content)
    Bundle.model_validate(data)  # raises on anything R4 does not allow
    return data


@pytest.mark.django_db
def test_the_care_team_s_export_is_a_valid_bundle_with_the_whole_record(clinician_client, patient, logged):
    data = bundle_of(clinician_client, reverse("programs:record", kwargs={"public_id": patient.public_id}))
    resources = [e["resource"] for e in data["entry"]]
    kinds = sorted({r["resourceType"] for r in resources})
    assert kinds == ["CarePlan", "Condition", "Observation", "Patient", "Practitioner", "ServiceRequest"]
    assert all(e["fullUrl"] == f"urn:uuid:{e['resource']['id']}" for e in data["entry"])
    ids = {f"urn:uuid:{r['id']}" for r in resources}
    refs = [v for r in resources for v in _references(r)]
    assert refs and set(refs) <= ids  # every reference resolves inside the Bundle

    emitted = [c for c in codings(resources) if c["system"] == fhir.LOINC]
    assert {c["code"] for c in emitted} == {"72514-3"}  # pain; the screening had Berg only (no LOINC)
    assert all(loinc_check_digit_ok(c["code"]) for c in emitted)
    request = next(r for r in resources if r["resourceType"] == "ServiceRequest")
    assert request["code"]["coding"][0]["code"] == "229065009"
    assert request["occurrenceTiming"]["repeat"]["periodUnit"] == "wk"
    assert "BACKWARD" in request["patientInstruction"]
    observations = [r for r in resources if r["resourceType"] == "Observation"]
    pain = [o for o in observations if o["code"]["coding"][0]["code"] == "72514-3"]
    assert sorted(o["valueInteger"] for o in pain) == [1, 2, 2, 3]
    effort = [o for o in observations if o["code"]["coding"][0]["code"] == "borg-rpe-6-20"]
    assert sorted(o["valueInteger"] for o in effort) == [11, 14]
    assert all(c["system"] != fhir.LOINC or c["code"] != "82289-0" for c in codings(effort))
    events = [o for o in observations if o["code"]["coding"][0]["code"] == "session-event"]
    assert [o["valueCodeableConcept"]["text"] for o in events] == ["Near fall"]
    # The patient logged the near fall: its author is the Patient, not a Practitioner.
    assert events[0]["performer"] == [{"reference": f"urn:uuid:{patient.public_id}"}]
    record = AccessRecord.objects.get(action=AccessAction.RECORD_EXPORTED)
    assert record.patient_public_id == patient.public_id


def _references(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield item
            else:
                yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


@pytest.mark.django_db
def test_a_tug_result_carries_the_verified_loinc_code_and_stroke_its_snomed_code(clinician_client, clinician):
    patient = factories.PatientFactory(care_team=[clinician], condition=Condition.objects.get(code="stroke"))
    screening_record(
        patient=patient,
        by=clinician,
        values={
            "screened_on": timezone.localdate(),
            "tug_seconds": D("14.2"),
            "gait_speed_mps": D("0.82"),
            "berg": 50,
            "bp_systolic": 120,
            "bp_diastolic": 80,
        },
    )
    data = bundle_of(clinician_client, reverse("programs:record", kwargs={"public_id": patient.public_id}))
    resources = [e["resource"] for e in data["entry"]]
    tug = next(
        r for r in resources if r["resourceType"] == "Observation" and r["code"]["coding"][0]["code"] == "89423-8"
    )
    assert tug["valueQuantity"] == {"value": 14.2, "unit": "s", "system": "http://unitsofmeasure.org", "code": "s"}
    speed = next(
        r for r in resources if r["resourceType"] == "Observation" and r["code"]["text"] == "Comfortable gait speed"
    )
    assert speed["valueQuantity"] == {
        "value": 0.82,
        "unit": "m/s",
        "system": "http://unitsofmeasure.org",
        "code": "m/s",
    }
    assert [c["system"] for c in speed["code"]["coding"]] == ["urn:retrowalk/CodeSystem/retrowalk"]  # no LOINC code
    condition = next(r for r in resources if r["resourceType"] == "Condition")
    assert condition["code"]["coding"][0] == {
        "system": fhir.SNOMED,
        "code": "230690007",
        "display": "Cerebrovascular accident",
    }
    assert all(loinc_check_digit_ok(c["code"]) for c in codings(resources) if c["system"] == fhir.LOINC)


@pytest.mark.django_db
def test_the_patient_downloads_their_own_record_and_nobody_else_s(patient_user, patient, logged, other_patient):
    data = bundle_of(client_for(patient_user), reverse("programs:my_record"))
    patients = [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Patient"]
    assert [p["id"] for p in patients] == [str(patient.public_id)]
    assert str(other_patient.public_id) not in json.dumps(data)


@pytest.mark.django_db
def test_nobody_outside_the_care_team_exports_a_record(patient, other_clinician_client, patient_user, admin_client_):
    url = reverse("programs:record", kwargs={"public_id": patient.public_id})
    assert other_clinician_client.get(url).status_code == 404
    assert client_for(patient_user).get(url).status_code == 403
    assert admin_client_.get(url).status_code == 403
    assert admin_client_.get(reverse("programs:my_record")).status_code == 403
    assert not AccessRecord.objects.filter(action=AccessAction.RECORD_EXPORTED).exists()
