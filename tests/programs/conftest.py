"""Helpers for prescribing through the page (the fixtures are in tests/conftest.py)."""

from decimal import Decimal as D

from django.utils import timezone

from tests.conftest import FULL_PROTECTION, OUTCOME_VALUES, STANDARD  # noqa: F401 (shared with other tests)


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
