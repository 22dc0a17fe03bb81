"""Fixtures for prescribing: screenings of each outcome and a prescribe() helper."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from patients.services import screening_record, screening_void
from programs.gate import ProtectionFacts
from programs.models import ProgramTemplate
from programs.services import prescription_create

# Values that give each outcome for a knee-OA patient (older-adult cutoffs).
OUTCOME_VALUES = {
    "cleared": {"berg": 52, "bp_systolic": 120, "bp_diastolic": 80},
    "cleared_protected": {"berg": 40, "bp_systolic": 120, "bp_diastolic": 80},
    "not_cleared": {"berg": 52, "bp_systolic": 210, "bp_diastolic": 95},
}
FULL_PROTECTION = ProtectionFacts(
    protected=True, clinic_only=True, harness=True, both_rails=True, therapist_sets_speed=True, one_to_one=True
)
STANDARD = ProtectionFacts(protected=False)


@pytest.fixture
def screen(clinician):
    def make(patient, outcome="cleared", *, days_ago=0, voided=False, by=None):
        screening = screening_record(
            patient=patient,
            by=by or clinician,
            values={"screened_on": timezone.localdate() - timedelta(days=days_ago), **OUTCOME_VALUES[outcome]},
        )
        assert screening.outcome == outcome
        if voided:
            screening = screening_void(screening=screening, by=by or clinician, reason="Near fall on the treadmill")
        return screening

    return make


@pytest.fixture
def oa_template(db):
    return ProgramTemplate.objects.get(condition__code="knee_oa", is_active=True)


@pytest.fixture
def prescribe(clinician, oa_template):
    def make(patient, screening, *, protection=STANDARD, by=None, template=None, speed=D("2.0"), **kwargs):
        return prescription_create(
            patient=patient,
            template=template or oa_template,
            screening=screening,
            by=by or clinician,
            start_date=timezone.localdate(),
            starting_speed_kmh=speed,
            protection=protection,
            **kwargs,
        )

    return make


def prescribe_post(template, *, speed="2.0", start=None, protection=None, action="save", **overrides) -> dict:
    """What the prescribe page posts on "Save": step 1 and every week of the previewed plan (km/h user)."""
    from programs.services import prescription_plan

    data = {
        "action": action,
        "template": template.pk,
        "start_date": (start or timezone.localdate()).isoformat(),
        "starting_speed_kmh": speed,
        "baseline_pain": "1",
        "protection": "protected" if protection and protection.protected else "standard",
    }
    if protection and protection.protected:
        data.update(dict.fromkeys(("clinic_only", "harness", "both_rails", "therapist_sets_speed", "one_to_one"), "on"))
    plan = prescription_plan(template=template, starting_speed_kmh=D(speed))
    data.update({"weeks-TOTAL_FORMS": str(len(plan)), "weeks-INITIAL_FORMS": str(len(plan))})
    for i, week in enumerate(plan):
        for name in (
            "week",
            "sessions",
            "bouts",
            "bout_minutes",
            "rest_minutes",
            "speed_kmh",
            "incline_pct",
            "support",
            "note",
        ):
            data[f"weeks-{i}-{name}"] = str(getattr(week, name))
    data.update(overrides)
    return data
