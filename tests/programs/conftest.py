"""Helpers for prescribing through the page, and a 12-week template (the other fixtures are in tests/conftest.py)."""

import uuid
from decimal import Decimal as D

import pytest
from django.utils import timezone

from programs import services
from programs.models import ProgramTemplate
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


@pytest.fixture
def twelve_week_template(clinician, oa_template):
    """A 12-week knee-OA template (the longest plan the print layout is held to: two pages)."""
    template = ProgramTemplate.objects.get(pk=oa_template.pk)
    template.pk = None
    template._state.adding = True
    template.lineage, template.version, template.supersedes = uuid.uuid4(), 1, None
    template.name_en, template.name_es = "Knee osteoarthritis — 12 weeks", "Artrosis de rodilla — 12 semanas"
    template.weeks = 12
    weeks = [
        services.WeekData(
            week=n,
            sessions=3,
            bouts=min(2 + n // 2, 6),
            bout_minutes=5,
            rest_minutes=D("1.0"),
            speed_fraction=D("1.00") if n <= 6 else D("1.10"),
            incline_pct=D("0.0"),
            support="rails_available",
            note="Supervised session in the clinic" if n in (1, 12) else "",
            notes={"en": "Supervised session in the clinic", "es": "Sesión supervisada en la clínica"}
            if n in (1, 12)
            else {},
        )
        for n in range(1, 13)
    ]
    return services.template_save(template=template, weeks=weeks, by=clinician)
