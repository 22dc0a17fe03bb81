"""Patient invariants: each checked by full_clean() and by the database."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from patients.models import Condition, Patient
from tests import factories


def _valid(**overrides):
    fields = {
        "record_number": "MRN-X1",
        "first_name": "Ann",
        "last_name": "Berg",
        "date_of_birth": date(1960, 1, 1),
        "condition": factories.condition("knee_oa"),
        "comfortable_forward_speed_kmh": Decimal("4.0"),
        "affected_side": "left",
        "kl_grade": 2,
    }
    fields.update(overrides)
    return fields


def _db_refuses(match=None, **overrides):
    with pytest.raises(IntegrityError, match=match), transaction.atomic():
        Patient.objects.create(**_valid(**overrides))
    assert not Patient.objects.filter(record_number=_valid(**overrides)["record_number"]).exists()


@pytest.mark.django_db
def test_a_valid_patient_passes_both_checks():
    patient = Patient(**_valid())
    patient.full_clean()
    patient.save()
    assert Patient.objects.get().public_id == patient.public_id


@pytest.mark.django_db
def test_record_number_is_unique():
    Patient.objects.create(**_valid())
    with pytest.raises(ValidationError) as excinfo:
        Patient(**_valid(first_name="Other")).full_clean()
    assert "record_number" in excinfo.value.message_dict or "__all__" in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Patient.objects.create(**_valid(first_name="Other"))
    assert Patient.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "bad"), [("gmfcs_level", 0), ("gmfcs_level", 6), ("kl_grade", 5)])
def test_clinical_scales_are_in_range(field, bad):
    with pytest.raises(ValidationError) as excinfo:
        Patient(**_valid(**{field: bad})).full_clean()
    assert field in excinfo.value.message_dict
    _db_refuses(**{field: bad})


@pytest.mark.django_db
@pytest.mark.parametrize("speed", [Decimal("0.0"), Decimal("-1.0"), Decimal("8.1")])
def test_forward_speed_is_above_zero_and_within_the_bound(speed):
    with pytest.raises(ValidationError) as excinfo:
        Patient(**_valid(comfortable_forward_speed_kmh=speed)).full_clean()
    assert "comfortable_forward_speed_kmh" in excinfo.value.message_dict
    _db_refuses(comfortable_forward_speed_kmh=speed)


@pytest.mark.django_db
def test_birth_date_in_the_future_is_refused_by_validation():
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        Patient(**_valid(date_of_birth=tomorrow)).full_clean()
    assert excinfo.value.message_dict["date_of_birth"] == ["The date of birth cannot be in the future."]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field, constraint",
    [
        ("date_of_birth", "patient_birth_date_not_future"),
        ("surgery_date", "patient_surgery_date_not_future"),
        ("stroke_date", "patient_stroke_date_not_future"),
    ],
)
def test_future_dates_are_refused_by_the_database(field, constraint):
    """A CHECK on PostgreSQL, a trigger on SQLite (whose CHECK cannot read the date), named alike."""
    far = timezone.localdate() + timedelta(days=30)
    _db_refuses(match=f'check constraint "{constraint}"', **{field: far})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("details", "missing"),
    [
        (lambda: factories.acl_details(surgery_date=None), "surgery_date"),
        (lambda: factories.acl_details(graft=""), "graft"),
        (lambda: {"condition": factories.condition("knee_oa"), "kl_grade": None}, "kl_grade"),
        (lambda: factories.stroke_details(walking_aid=""), "walking_aid"),
        (lambda: factories.stroke_details(stroke_date=None), "stroke_date"),
        (lambda: factories.cp_details(gmfcs_level=None), "gmfcs_level"),
    ],
)
def test_each_condition_requires_its_details(details, missing):
    with pytest.raises(ValidationError) as excinfo:
        Patient(**_valid(**details())).full_clean()
    assert missing in excinfo.value.message_dict
    assert "Needed for" in excinfo.value.message_dict[missing][0]


@pytest.mark.django_db
def test_details_of_other_conditions_are_cleared():
    patient = Patient(**_valid(**factories.stroke_details(kl_grade=3, gmfcs_level=2, graft="hamstring")))
    patient.clear_details_that_do_not_apply()
    assert (patient.kl_grade, patient.gmfcs_level, patient.graft) == (None, None, "")
    assert patient.walking_aid == "cane"


@pytest.mark.django_db
def test_a_condition_in_use_cannot_be_deleted(clinician):
    factories.PatientFactory(care_team=[clinician])
    with pytest.raises(ProtectedError):
        Condition.objects.get(code="knee_oa").delete()


@pytest.mark.django_db
def test_patients_have_a_history_with_the_user(clinician):
    patient = factories.PatientFactory(care_team=[clinician])
    patient.first_name = "Renamed"
    patient._history_user = clinician
    patient.save()
    latest = patient.history.first()
    assert latest.first_name == "Renamed"
    assert latest.history_user == clinician
    assert latest.diff_against(latest.prev_record).changed_fields == ["first_name"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("details", "wording"),
    [
        (lambda: factories.acl_details(affected_side=""), "Needed for ACL reconstruction: enter the operated knee."),
        (lambda: factories.stroke_details(affected_side=""), "Needed for Stroke: enter the paretic side."),
    ],
)
def test_the_missing_side_is_named_as_the_form_labels_it(details, wording):
    with pytest.raises(ValidationError) as excinfo:
        Patient(**_valid(**details())).full_clean()
    assert excinfo.value.message_dict["affected_side"] == [wording]
