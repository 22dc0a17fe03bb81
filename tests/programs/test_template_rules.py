"""The pure template consistency rules (programs/template_rules.py)."""

from dataclasses import replace
from decimal import Decimal as D

import pytest

from programs.template_rules import TemplateCaps, WeekPlan, check_caps, check_template, check_week, check_week_numbers

CAPS = TemplateCaps(
    weeks=3,
    max_speed_kmh=D("5.0"),
    max_incline_pct=D("15.0"),
    max_session_minutes=30,
    max_start_speed_kmh=D("4.0"),
)


def week(n=1, bouts=2, minutes=5, fraction="1.00", incline="0.0"):
    return WeekPlan(week=n, bouts=bouts, bout_minutes=minutes, speed_fraction=D(fraction), incline_pct=D(incline))


def fields(problems):
    return [p.field for p in problems]


def test_a_sound_template_has_no_problems():
    assert check_template(CAPS, [week(1), week(2), week(3)]) == []


@pytest.mark.parametrize(
    ("fraction", "ok"),
    [("1.25", True), ("1.26", False)],  # 4.0 km/h × 1.25 = 5.0 is the cap exactly
)
def test_the_fastest_start_in_the_fastest_week_stays_within_the_speed_cap(fraction, ok):
    problems = check_week(CAPS, week(fraction=fraction))
    assert (problems == []) is ok
    if not ok:
        assert fields(problems) == ["speed_fraction"]
        assert "above the speed cap of 5.0 km/h" in problems[0].message


@pytest.mark.parametrize(("incline", "ok"), [("0.0", True), ("15.0", True), ("15.1", False), ("-0.1", False)])
def test_incline_is_0_to_15_percent(incline, ok):
    assert (fields(check_week(CAPS, week(incline=incline))) == []) is ok


def test_incline_above_a_stricter_template_cap_is_refused():
    strict = TemplateCaps(**{**CAPS.__dict__, "max_incline_pct": D("5.0")})
    problems = check_week(strict, week(incline="7.5"))
    assert fields(problems) == ["incline_pct"] and "template's cap of 5.0 %" in problems[0].message


@pytest.mark.parametrize(
    ("bouts", "minutes", "ok"),
    [(1, 1, True), (6, 5, True), (1, 0, False), (7, 9, False)],  # 63 > 60 min
)
def test_session_minutes_are_1_to_60(bouts, minutes, ok):
    loose = TemplateCaps(**{**CAPS.__dict__, "max_session_minutes": 60})
    assert (check_week(loose, week(bouts=bouts, minutes=minutes)) == []) is ok


def test_session_above_the_template_cap_is_refused():
    problems = check_week(CAPS, week(bouts=7, minutes=5))  # 35 > 30
    assert fields(problems) == ["bout_minutes"] and "session cap of 30" in problems[0].message


@pytest.mark.parametrize(
    ("numbers", "fragment"),
    [
        ([1, 3], "missing 2"),
        ([1, 2, 2], "repeated 2"),
        ([1, 2, 3, 4], "beyond the template's length: 4"),
        ([], "missing 1, 2, 3"),
    ],
)
def test_weeks_are_numbered_1_to_n_without_gaps(numbers, fragment):
    problems = check_week_numbers(CAPS, numbers)
    assert fields(problems) == ["weeks"]
    assert fragment in problems[0].message


@pytest.mark.parametrize("weeks", [0, 53, 99999999999999999999])
def test_a_length_out_of_range_is_one_problem_not_a_crash(weeks):
    """Found by the form fuzz: a huge length once made the week-number check build a list that long."""
    caps = replace(CAPS, weeks=weeks)
    assert check_week_numbers(caps, [1, 2, 3]) == []
    problems = check_template(caps, [])
    assert fields(problems) == ["weeks"]
    assert problems[0].message == "A template lasts 1 to 52 weeks."


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"max_speed_kmh": D("5.1")}, "max_speed_kmh"),
        ({"max_speed_kmh": D("0")}, "max_speed_kmh"),
        ({"max_incline_pct": D("16")}, "max_incline_pct"),
        ({"max_session_minutes": 61}, "max_session_minutes"),
        ({"max_start_speed_kmh": D("5.5")}, "max_start_speed_kmh"),
    ],
)
def test_caps_stay_within_the_product_limits(change, field):
    assert fields(check_caps(TemplateCaps(**{**CAPS.__dict__, **change})))[0] == field
