"""Administrators edit cutoffs and the validity window per condition, with history."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from patients.models import Condition, ScreeningPolicy
from patients.services import screening_record


def _inline_post(condition, policy, **changes):
    data = {
        "name_en": condition.name_en,
        "name_es": condition.name_es,
        "code": condition.code,
        "screening_population": condition.screening_population,
        "description_en": condition.description_en,
        "description_es": condition.description_es,
        "sources": condition.sources,
        "screening_policy-TOTAL_FORMS": 1,
        "screening_policy-INITIAL_FORMS": 1,
        "screening_policy-MIN_NUM_FORMS": 0,
        "screening_policy-MAX_NUM_FORMS": 1,
        "screening_policy-0-id": policy.pk,
        "screening_policy-0-condition": condition.pk,
    }
    for field in ScreeningPolicy._meta.concrete_fields:
        if field.name in ("id", "condition"):
            continue
        value = changes.get(field.name, getattr(policy, field.name))
        if isinstance(value, bool):
            if value:
                data[f"screening_policy-0-{field.name}"] = "on"
        else:
            data[f"screening_policy-0-{field.name}"] = "" if value is None else value
    return data


@pytest.mark.django_db
def test_an_edited_cutoff_and_window_apply_to_the_next_screening(admin_client_, admin_user, patient, clinician):
    condition = Condition.objects.get(code="knee_oa")
    policy = condition.screening_policy
    url = f"/admin/patients/condition/{condition.pk}/change/"
    response = admin_client_.post(url, _inline_post(condition, policy, berg_high_risk_below="50", validity_days="14"))
    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.berg_high_risk_below, policy.validity_days) == (D("50"), 14)
    assert policy.history.first().history_user == admin_user

    today = timezone.localdate()
    screening = screening_record(
        patient=patient, by=clinician, values={"screened_on": today, "berg": 48, "bp_systolic": 120, "bp_diastolic": 80}
    )
    assert screening.outcome == "cleared_protected"
    assert screening.reason_texts == ["Berg 48 is below 50 (older-adult cutoff)"]
    assert screening.valid_until == today + timedelta(days=13)


@pytest.mark.django_db
def test_an_unknown_instrument_is_refused_by_field(admin_client_):
    condition = Condition.objects.get(code="stroke")
    policy = condition.screening_policy
    response = admin_client_.post(
        f"/admin/patients/condition/{condition.pk}/change/",
        _inline_post(condition, policy, suited_instruments="berg,xyz"),
    )
    assert response.status_code == 200
    assert "Use one or more of" in response.content.decode()
    policy.refresh_from_db()
    assert policy.suited_instruments == "berg,tug,dgi"


@pytest.mark.django_db
def test_a_recorded_screening_keeps_the_policy_of_its_day(patient, clinician):
    today = timezone.localdate()
    values = {"screened_on": today, "berg": 48, "bp_systolic": 120, "bp_diastolic": 80}
    before = screening_record(patient=patient, by=clinician, values=values)
    ScreeningPolicy.objects.filter(condition__code="knee_oa").update(berg_high_risk_below=50)
    before.refresh_from_db()
    assert before.outcome == "cleared"
