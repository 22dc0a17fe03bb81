"""The four default templates shipped by the data migration (CLINICAL.md s2, s5)."""

from decimal import Decimal as D

import pytest

from programs.models import ProgramTemplate
from programs.template_rules import check_template

# condition: (weeks, sessions/week, week-1 minutes, final-week minutes, final speed fraction, inclines seen)
EXPECTED = {
    "knee_oa": (6, 3, 10, 30, D("1.10"), {D("0")}),  # [K1] 10 min; [K2] toward 30
    "stroke": (6, 3, 30, 30, D("1.50"), {D("0")}),  # [T1] 30 min, +10 %/week
    "cerebral_palsy": (8, 3, 15, 25, D("1.10"), {D("0")}),  # [C1-C3] 15 -> 25 min
    "acl_reconstruction": (6, 3, 10, 20, D("1.00"), {D("0"), D("5"), D("10")}),  # [A1][A2] 0 -> 5 -> 10 %
}


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_each_condition_ships_one_sound_template(code):
    template = ProgramTemplate.objects.get(condition__code=code, is_active=True)
    weeks = list(template.week_rows.order_by("week"))
    n, sessions, first_min, last_min, last_fraction, inclines = EXPECTED[code]
    assert (template.weeks, template.sessions_per_week, len(weeks)) == (n, sessions, n)
    assert weeks[0].session_minutes == first_min
    assert weeks[-1].session_minutes == last_min
    assert weeks[-1].speed_fraction == last_fraction
    assert {w.incline_pct for w in weeks} == inclines
    assert check_template(template.caps, [w.as_plan() for w in weeks]) == []
    assert template.defaults_for_clinical_review
    assert template.max_speed_kmh == D("5.0") and template.max_incline_pct == D("15.0")


@pytest.mark.django_db
def test_every_shipped_template_cites_its_sources():
    for template in ProgramTemplate.objects.all():
        assert template.sources
        for code in ("P5", "G2", "G3", "T8"):
            assert code in template.sources, (template.name, code)


@pytest.mark.django_db
def test_stroke_starts_at_baseline_and_adds_ten_percent_a_week():
    template = ProgramTemplate.objects.get(condition__code="stroke")
    fractions = [w.speed_fraction for w in template.week_rows.order_by("week")]
    assert fractions == [D("1.00") + D("0.10") * i for i in range(6)]
    assert template.starting_speed_rule == "overground_baseline"
    assert template.speed_step_fraction == D("0.10")


@pytest.mark.django_db
def test_knee_oa_raises_minutes_before_speed():
    template = ProgramTemplate.objects.get(condition__code="knee_oa")
    weeks = list(template.week_rows.order_by("week"))
    assert template.duration_first
    first_speed_rise = next(w.week for w in weeks if w.speed_fraction > 1)
    assert all(w.session_minutes == 30 for w in weeks if w.week >= first_speed_rise)
