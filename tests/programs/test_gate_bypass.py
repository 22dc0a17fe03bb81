"""The gate holds on every path (DESIGN.md "The safety gate"): form, admin, service,
a management script, objects.create, bulk_create and QuerySet.update, for a screening
of another patient, an expired one, a voided one, a not-cleared one and a protected
one without protection. Every path is refused and the database is unchanged: on PostgreSQL and on
SQLite alike, the paths that go around the services by the database itself, with the gate's message."""

from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from programs.models import Prescription, PrescriptionWeek
from programs.services import PrescriptionError
from tests.programs.conftest import FULL_PROTECTION, prescribe_post

SCENARIOS = ["other_patient", "expired", "voided", "not_cleared", "protected_without_protection"]
# The database's own refusal of each (the PostgreSQL function and the SQLite triggers say the same).
REFUSALS = {
    "other_patient": "retrowalk gate: the screening belongs to another patient",
    "expired": "retrowalk gate: the screening has expired",
    "voided": "retrowalk gate: the screening is void",
    "not_cleared": "retrowalk gate: the screening did not clear the patient",
    "protected_without_protection": "retrowalk gate: the screening requires protected mode",
}
PATHS = ["service", "form", "admin", "script", "objects_create", "bulk_create", "update"]


@pytest.fixture
def scenario(patient, screen, other_patient, other_clinician):
    """(bad screening, a valid screening the update path starts from) for each scenario."""

    def build(name):
        if name == "other_patient":
            bad = screen(other_patient, by=other_clinician)
        elif name == "expired":
            bad = screen(patient, days_ago=40)
        elif name == "voided":
            bad = screen(patient, voided=True)
        elif name == "not_cleared":
            bad = screen(patient, "not_cleared")
        else:
            bad = screen(patient, "cleared_protected")
        return bad

    return build


def _fields(patient, screening, oa_template, clinician):
    return {
        "patient": patient,
        "template": oa_template,
        "screening": screening,
        "prescriber": clinician,
        "start_date": timezone.localdate(),
        "week_started_on": timezone.localdate(),
        "starting_speed_kmh": D("2.0"),
        "status": "active",
    }


def _state():
    return (
        list(Prescription.objects.order_by("pk").values()),
        list(PrescriptionWeek.objects.order_by("pk").values()),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name", SCENARIOS)
def test_every_path_is_refused(
    name,
    path,
    scenario,
    patient,
    screen,
    prescribe,
    oa_template,
    clinician,
    clinician_client,
    admin_client_,
):
    bad = scenario(name)
    fields = _fields(patient, bad, oa_template, clinician)
    baseline = None
    if path == "update":
        # A valid program first, then a bulk UPDATE that would break the gate.
        if name == "protected_without_protection":
            baseline = prescribe(patient, bad, protection=FULL_PROTECTION)
        else:
            baseline = prescribe(patient, screen(patient))
    before = _state()

    if path == "service":
        with pytest.raises(PrescriptionError):
            prescribe(patient, bad)
    elif path == "form":
        # The prescribe page: the screening is never the client's choice (a posted id is ignored);
        # the page uses the patient's latest screening and shows the refusal (with no form to post again).
        response = clinician_client.post(
            reverse("programs:prescribe", kwargs={"public_id": patient.public_id}),
            prescribe_post(oa_template, screening=bad.pk),
        )
        assert response.status_code == 200
        page = response.content.decode()
        if name == "protected_without_protection":  # the form can add the protection: it comes back with the reason
            assert "The program was not saved" in page
        else:  # only a new screening helps: the page says so instead of offering the form
            assert "A program cannot be prescribed now" in page and "Save the program" not in page
        assert ("no balance screening" if name == "other_patient" else "rescreen") in page
    elif path == "admin":
        # Prescriptions are not editable in the admin at all (it does not browse charts).
        response = admin_client_.post("/admin/programs/prescription/add/", {"patient": patient.pk, "screening": bad.pk})
        assert response.status_code == 404
    elif path == "script":
        code = (
            "from programs.models import Prescription; from datetime import date; "
            f"Prescription.objects.create(patient_id={patient.pk}, template_id={oa_template.pk}, "
            f"screening_id={bad.pk}, prescriber_id={clinician.pk}, start_date=date.today(), "
            "week_started_on=date.today(), "
            "starting_speed_kmh='2.0', status='active')"
        )
        with pytest.raises(IntegrityError, match=REFUSALS[name]), transaction.atomic():
            call_command("shell", command=code)
    elif path == "objects_create":
        with pytest.raises(IntegrityError, match=REFUSALS[name]), transaction.atomic():
            Prescription.objects.create(**fields)
    elif path == "bulk_create":
        with pytest.raises(IntegrityError, match=REFUSALS[name]), transaction.atomic():
            Prescription.objects.bulk_create([Prescription(**fields)])
    elif path == "update":
        changes = {"screening": bad}
        if name == "protected_without_protection":
            changes = {"protection": "standard", "harness": False, "one_to_one": False}
        with pytest.raises(IntegrityError, match=REFUSALS[name]), transaction.atomic():
            Prescription.objects.filter(pk=baseline.pk).update(**changes)

    assert _state() == before


@pytest.mark.django_db
def test_resuming_a_paused_program_on_a_void_screening_is_refused_by_the_database(
    patient, screen, prescribe, clinician
):
    from patients.services import screening_void

    screening = screen(patient)
    prescription = prescribe(patient, screening)
    Prescription.objects.filter(pk=prescription.pk).update(status="paused")
    screening_void(screening=screening, by=clinician, reason="Near fall")
    with pytest.raises(IntegrityError, match="retrowalk gate: the screening is void"), transaction.atomic():
        Prescription.objects.filter(pk=prescription.pk).update(status="active")
    prescription.refresh_from_db()
    assert prescription.status == "paused"


@pytest.mark.django_db
def test_pausing_or_stopping_stays_possible_after_the_screening_expired(patient, screen, prescribe):
    prescription = prescribe(patient, screen(patient))
    Prescription.objects.filter(pk=prescription.pk).update(status="stopped", stop_reason="moved away")
    prescription.refresh_from_db()
    assert prescription.status == "stopped"


@pytest.mark.django_db
def test_model_validation_repeats_the_gate_on_every_database(patient, screen, oa_template, clinician):
    bad = screen(patient, "not_cleared")
    candidate = Prescription(**_fields(patient, bad, oa_template, clinician))
    with pytest.raises(Exception) as excinfo:
        candidate.full_clean()
    assert "did not clear the patient" in str(excinfo.value)


@pytest.mark.django_db
def test_the_protection_constraint_is_in_every_database(patient, screen, oa_template, clinician):
    screening = screen(patient)
    fields = {**_fields(patient, screening, oa_template, clinician), "protection": "protected", "harness": True}
    with pytest.raises(IntegrityError), transaction.atomic():
        Prescription.objects.create(**fields)
    assert not Prescription.objects.exists()


@pytest.mark.django_db
def test_the_prescribe_page_ignores_a_screening_sent_by_the_client(
    patient, other_patient, other_clinician, clinician_client, oa_template
):
    from patients.services import screening_record

    foreign = screening_record(
        patient=other_patient,
        by=other_clinician,
        values={"screened_on": timezone.localdate(), "berg": 52, "bp_systolic": 120, "bp_diastolic": 80},
    )
    response = clinician_client.post(
        reverse("programs:prescribe", kwargs={"public_id": patient.public_id}),
        prescribe_post(oa_template, screening=foreign.pk),
    )
    assert response.status_code == 200
    assert "no balance screening on record" in response.content.decode()
    assert not Prescription.objects.exists()
