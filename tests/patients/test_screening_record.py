"""Recording balance screenings: the form, the preview, immutability, voiding, scope."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from patients.models import BalanceScreening
from patients.services import screening_void
from tests import factories


def _post(**overrides):
    data = {
        "screened_on": timezone.localdate().isoformat(),
        "berg": "41",
        "tug_seconds": "12.0",
        "falls_last_6_months": "0",
        "bp_systolic": "130",
        "bp_diastolic": "80",
        "checklist_confirmed": "on",
        "action": "save",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _url(patient, what="new"):
    return f"/patients/{patient.public_id}/screenings/{what}/"


@pytest.mark.django_db
def test_recording_stores_the_outcome_and_reasons(clinician_client, clinician, patient):
    response = clinician_client.post(_url(patient), _post())
    assert response.status_code == 302
    screening = BalanceScreening.objects.get()
    assert screening.outcome == "cleared_protected"
    assert screening.reason_texts == ["Berg 41 is below 45 (older-adult cutoff)"]
    assert screening.valid_until == timezone.localdate() + timedelta(days=29)
    assert screening.screened_by == clinician
    chart = clinician_client.get(response["Location"]).content.decode()
    assert "Screening recorded: Cleared with protection" in chart
    assert "Berg 41 is below 45 (older-adult cutoff)" in chart


@pytest.mark.django_db
def test_check_outcome_shows_the_result_and_saves_nothing(clinician_client, patient):
    response = clinician_client.post(_url(patient), _post(action="preview", checklist_confirmed=None))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Outcome if saved now: <strong>Cleared with protection</strong>" in body
    assert "Berg 41 is below 45 (older-adult cutoff)" in body
    assert not BalanceScreening.objects.exists()


@pytest.mark.django_db
def test_the_live_preview_returns_the_outcome_panel_only(clinician_client, patient):
    response = clinician_client.post(_url(patient, "preview"), _post(bp_systolic="210", bp_diastolic="95"))
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="screening-outcome"')
    assert "Not cleared" in body and "Resting BP 210/95 exceeds 200/100" in body
    assert not BalanceScreening.objects.exists()
    assert clinician_client.get(_url(patient, "preview")).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"checklist_confirmed": None},
            "checklist_confirmed",
            "Confirm that you went through the hard-stop checklist.",
        ),
        ({"berg": "57"}, "berg", "Ensure this value is less than or equal to 56."),
        ({"tug_seconds": "-3"}, "tug_seconds", "Ensure this value is greater than or equal to 1."),
        ({"bp_systolic": None}, "bp_systolic", "This field is required."),
        (
            {"screened_on": (timezone.localdate() + timedelta(days=1)).isoformat()},
            "screened_on",
            "cannot be in the future",
        ),
        ({"bmwt_seconds": "3.0", "bmwt_unable": "on"}, "bmwt_unable", "Give a time or tick 'unable', not both."),
    ],
)
def test_bad_input_gets_a_field_error_and_saves_nothing(clinician_client, patient, change, field, message):
    response = clinician_client.post(_url(patient), _post(**change))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert not BalanceScreening.objects.exists()


@pytest.mark.django_db
def test_a_suited_balance_test_is_required(clinician_client, patient):
    response = clinician_client.post(_url(patient), _post(berg=None, tug_seconds=None, abc_pct="80"))
    assert response.status_code == 200
    assert "Record at least one balance test suited to this patient" in response.content.decode()
    assert not BalanceScreening.objects.exists()


@pytest.mark.django_db
def test_the_checklist_follows_the_condition(clinician_client, clinician):
    stroke = factories.PatientFactory(care_team=[clinician], **factories.stroke_details())
    form = clinician_client.get(_url(stroke)).context["form"]
    assert "unstable_cardiac" in form.fields and "mmse_below_20" in form.fields
    assert "recent_lower_limb_injury" not in form.fields and "uncontrolled_seizures" not in form.fields
    clinician_client.post(_url(stroke), _post(uncontrolled_seizures="on", berg="52"))
    screening = BalanceScreening.objects.get()
    assert screening.outcome == "cleared" and screening.uncontrolled_seizures is False


@pytest.mark.django_db
def test_a_child_needs_no_blood_pressure(clinician_client, clinician):
    child = factories.PatientFactory(care_team=[clinician], **factories.cp_details())
    response = clinician_client.post(
        _url(child), _post(berg=None, tug_seconds=None, bp_systolic=None, bp_diastolic=None, gmfcs="2")
    )
    assert response.status_code == 302
    assert BalanceScreening.objects.get().outcome == "cleared"


@pytest.mark.django_db
def test_acl_hard_stops_come_from_the_surgical_criteria(clinician_client, clinician):
    acl = factories.PatientFactory(
        care_team=[clinician], **factories.acl_details(surgery_date=timezone.localdate() - timedelta(weeks=4))
    )
    clinician_client.post(_url(acl), _post(berg=None, tug_seconds=None, bmwt_seconds="2.5"))
    screening = BalanceScreening.objects.get()
    assert screening.outcome == "not_cleared"
    assert "No documented surgeon clearance for full weight bearing" in screening.reason_texts
    assert any("4 full weeks since surgery" in reason for reason in screening.reason_texts)


@pytest.mark.django_db
def test_a_recorded_screening_cannot_be_changed_or_deleted(clinician_client, patient):
    """SECURITY.md: Screenings are immutable once recorded"""
    clinician_client.post(_url(patient), _post())
    screening = BalanceScreening.objects.get()
    screening.berg = 55
    with pytest.raises(ValidationError, match="cannot be changed"):
        screening.save()
    with pytest.raises(ValidationError, match="cannot be deleted"):
        screening.delete()
    assert BalanceScreening.objects.get().berg == 41


@pytest.mark.django_db
def test_the_database_refuses_changing_or_deleting_a_screening(clinician_client, patient, clinician):
    """PostgreSQL and SQLite alike: flipping the outcome (say, to not cleared under a live program) is refused."""
    clinician_client.post(_url(patient), _post())
    with pytest.raises(IntegrityError, match="a recorded screening cannot be changed"), transaction.atomic():
        BalanceScreening.objects.update(outcome="not_cleared")
    with pytest.raises(IntegrityError, match="a recorded screening cannot be deleted"), transaction.atomic():
        BalanceScreening.objects.all().delete()
    screening = screening_void(screening=BalanceScreening.objects.get(), by=clinician, reason="Near fall")
    with pytest.raises(IntegrityError, match="a voided screening cannot be changed"), transaction.atomic():
        BalanceScreening.objects.update(voided_at=None, void_reason="")
    screening.refresh_from_db()
    assert (screening.outcome, screening.voided_at is not None) == ("cleared_protected", True)


@pytest.mark.django_db
def test_voiding_keeps_the_screening_and_says_why(clinician_client, patient, clinician):
    clinician_client.post(_url(patient), _post())
    screening = screening_void(screening=BalanceScreening.objects.get(), by=clinician, reason="Near fall on 20 Nov")
    assert not screening.is_valid_for_prescribing()
    again = screening_void(screening=screening, by=clinician, reason="second report")
    assert again.void_reason == "Near fall on 20 Nov"
    chart = clinician_client.get(f"/patients/{patient.public_id}/").content.decode()
    assert "void" in chart and "rescreen before prescribing" in chart


@pytest.mark.django_db
@pytest.mark.parametrize("what", ["new", "preview"])
def test_another_teams_patient_is_404_and_nothing_is_saved(other_clinician_client, patient, what):
    response = other_clinician_client.post(_url(patient, what), _post())
    assert response.status_code == 404
    assert not BalanceScreening.objects.exists()


@pytest.mark.django_db
def test_patients_cannot_record_screenings(patient_client, patient):
    assert patient_client.post(_url(patient), _post()).status_code == 403
    assert not BalanceScreening.objects.exists()


@pytest.mark.django_db
def test_the_reasons_are_kept_as_messages_and_read_in_each_reader_s_language(
    clinician_client, other_clinician, patient
):
    """A screening recorded in English reads in Spanish for a Spanish-speaking colleague, numbers and all."""
    from retrowalk.services import preferences_update
    from tests.conftest import client_for

    clinician_client.post(_url(patient), _post(berg="40", tug_seconds="13.5"))
    screening = BalanceScreening.objects.get()
    assert screening.reasons[0] == {
        "message": "Berg %(value)s is below %(cutoff)s (%(who)s)",
        "params": {"value": "40", "cutoff": "45", "who": {"message": "older-adult cutoff", "params": {}}},
    }
    assert screening.reason_texts == [
        "Berg 40 is below 45 (older-adult cutoff)",
        "TUG 13.5 s ≥ 13.5 s older-adult cutoff",
    ]
    patient.care_team.add(other_clinician)
    preferences_update(user=other_clinician, speed_unit="kmh", language="es")
    chart = client_for(other_clinician).get(patient.get_absolute_url()).content.decode()
    assert "Berg 40 está por debajo de 45 (punto de corte para personas mayores)" in chart
    assert "TUG 13,5 s ≥ 13,5 s, punto de corte para personas mayores" in chart
    assert "Apto con protección" in chart


def test_reasons_kept_as_text_by_an_earlier_release_read_as_they_were():
    from django.utils import translation

    kept = ["Berg 41 is below 45 (older-adult cutoff)", {"message": "A fall in the last 6 months", "params": {}}]
    with translation.override("es"):
        assert BalanceScreening(reasons=kept).reason_texts == [
            "Berg 41 is below 45 (older-adult cutoff)",
            "Una caída en los últimos 6 meses",
        ]
