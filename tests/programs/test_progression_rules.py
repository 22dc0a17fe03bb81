"""The week-end decision rules of programs/progression.py (CLINICAL.md s5), at and around each threshold."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from programs import progression as p

MONDAY = date(2026, 11, 2)


def session(day=0, *, minutes=20, before=1, after=2, effort=12, event="none", next_day=None):
    return p.SessionFacts(
        session_date=MONDAY + timedelta(days=day),
        minutes=minutes,
        pain_before=before,
        pain_after=after,
        effort=effort,
        event=event,
        pain_next_day=next_day,
    )


GOOD_WEEK = (session(0), session(2), session(4))


DEFAULT_RULES = p.AdvanceRules()


def review(sessions=GOOD_WEEK, *, week=3, weeks=8, planned=3, baseline=1, rules=DEFAULT_RULES, **kw):
    return p.decide(
        p.WeekReview(
            week=week,
            weeks=weeks,
            planned_sessions=planned,
            baseline_pain=baseline,
            sessions=sessions,
            rules=rules,
            **kw,
        )
    )


def test_a_good_week_advances_one_week_with_the_reasons():
    decision = review()
    assert decision.action == p.ADVANCE
    assert decision.next_week == 4
    assert decision.reasons == (
        "No fall or near fall, pain at most 2/10, effort at most Borg 12, 3 of 3 sessions done.",
        "Advance to week 4.",
    )


def test_the_last_week_met_completes_the_program():
    decision = review(week=8, weeks=8)
    assert (decision.action, decision.next_week) == (p.COMPLETE, 8)
    assert "the program is complete" in decision.reasons[-1]


# --- Fall or near fall: pause (s5 "Fall or near-fall") ---


@pytest.mark.parametrize("event, word", [("near_fall", "Near fall"), ("fall", "Fall")])
def test_a_fall_or_near_fall_pauses_whatever_else_happened(event, word):
    decision = review((*GOOD_WEEK, session(5, event=event)))
    assert (decision.action, decision.next_week) == (p.PAUSE, 3)
    assert decision.reasons == (
        f"{word} on 7 Nov: the program pauses and the screening is void; rescreen before resuming.",
    )


def test_a_fall_outranks_a_step_back():
    rising = (session(0, after=5), session(1, after=5, event="near_fall"))
    assert review(rising, baseline=1).action == p.PAUSE


# --- Pain (s5 "pain NRS ≤ 3/10 and not ≥ 2 points above baseline") ---


@pytest.mark.parametrize("pain, action", [(2, p.ADVANCE), (3, p.ADVANCE), (4, p.REPEAT)])
def test_pain_advances_up_to_3_of_10(pain, action):
    # Baseline 3 so the rise rule (≥ 5) does not fire below 5.
    sessions = (session(0), session(2, after=pain), session(4))
    assert review(sessions, baseline=3).action == action


def test_the_pain_limit_reason_names_the_peak_and_the_limit():
    decision = review((session(0), session(2, after=4), session(4)), baseline=3)
    assert decision.reasons[0] == "Pain reached 4/10 (advance only at 3/10 or less)."
    assert decision.reasons[-1] == "Repeat week 3."


def test_pain_before_counts_as_the_sessions_pain_too():
    assert review((session(0, before=4, after=1), session(2), session(4)), baseline=3).action == p.REPEAT


@pytest.mark.parametrize("after, action", [(1, p.ADVANCE), (2, p.REPEAT), (3, p.REPEAT)])
def test_one_session_two_above_baseline_repeats(after, action):
    # Baseline 0: after 1 is +1 (fine), after 2 is +2 (not advanced), and only once (no step back).
    sessions = (session(0, before=0, after=0), session(2, before=0, after=after), session(4, before=0, after=0))
    decision = review(sessions, baseline=0)
    assert decision.action == action
    if action == p.REPEAT:
        assert decision.reasons[0] == f"Pain {after}/10 on 4 Nov was 2 or more above the baseline 0/10."


def test_two_sessions_running_two_above_baseline_step_back_one_week():
    sessions = (session(0, before=0, after=2), session(2, before=0, after=2), session(4, before=0, after=0))
    decision = review(sessions, baseline=0, week=3)
    assert (decision.action, decision.next_week) == (p.STEP_BACK, 2)
    assert decision.reasons == (
        "Pain 2/10 on 2 Nov and 2/10 on 4 Nov: 2 or more above the baseline 0/10 two sessions running: "
        "step back to week 2.",
    )


def test_two_sessions_only_one_above_the_rise_do_not_step_back():
    sessions = (session(0, before=0, after=2), session(2, before=0, after=1), session(4, before=0, after=2))
    assert review(sessions, baseline=0).action == p.REPEAT


def test_the_step_back_reads_sessions_in_date_order_whatever_order_they_come_in():
    sessions = (session(4, before=0, after=3), session(0, before=0, after=0), session(2, before=0, after=3))
    assert review(sessions, baseline=0).action == p.STEP_BACK


def test_stepping_back_from_week_1_repeats_week_1():
    sessions = (session(0, before=0, after=2), session(2, before=0, after=2), session(4))
    decision = review(sessions, baseline=0, week=1)
    assert (decision.action, decision.next_week) == (p.REPEAT, 1)
    assert decision.reasons[0].endswith("already at week 1, so repeat it.")


def test_the_rise_threshold_comes_from_the_template_rules():
    sessions = (session(0, before=0, after=2), session(2, before=0, after=2), session(4))
    assert review(sessions, baseline=0, rules=p.AdvanceRules(max_pain_rise=3)).action == p.ADVANCE


# --- Pain the next day (s5 "pain not worse the next day") ---


@pytest.mark.parametrize("next_day, action", [(None, p.ADVANCE), (1, p.ADVANCE), (2, p.REPEAT)])
def test_pain_worse_the_next_morning_than_before_the_session_repeats(next_day, action):
    sessions = (session(0, before=1, next_day=next_day), session(2), session(4))
    decision = review(sessions, baseline=1)
    assert decision.action == action
    if action == p.REPEAT:
        assert decision.reasons[0] == "Pain was worse the morning after 2 Nov (2/10, 1/10 before the session)."


# --- Effort (s5 "RPE ≤ 13 on Borg 6–20") ---


@pytest.mark.parametrize("effort, action", [(6, p.ADVANCE), (13, p.ADVANCE), (14, p.REPEAT), (20, p.REPEAT)])
def test_effort_advances_up_to_borg_13(effort, action):
    decision = review((session(0), session(2, effort=effort), session(4)))
    assert decision.action == action
    if action == p.REPEAT:
        assert decision.reasons[0] == f"Effort reached Borg {effort} (advance only at 13, somewhat hard, or less)."


# --- Adherence (s5 "at least 2/3 of planned sessions done") ---


@pytest.mark.parametrize("planned, needed", [(1, 1), (2, 2), (3, 2), (4, 3), (5, 4), (6, 4), (7, 5), (9, 6), (14, 10)])
def test_sessions_needed_is_two_thirds_rounded_up(planned, needed):
    assert p.sessions_needed(planned, 66) == needed
    assert needed * 3 >= planned * 2 > (needed - 1) * 3


@pytest.mark.parametrize("done, action", [(1, p.REPEAT), (2, p.ADVANCE), (3, p.ADVANCE)])
def test_two_of_three_sessions_is_enough_to_advance(done, action):
    decision = review(GOOD_WEEK[:done])
    assert decision.action == action
    if action == p.REPEAT:
        assert decision.reasons[0] == "1 of 3 planned sessions done (2 needed to advance)."


@pytest.mark.parametrize("done, action", [(3, p.REPEAT), (4, p.ADVANCE)])
def test_five_planned_sessions_need_four(done, action):
    sessions = tuple(session(day) for day in range(done))
    assert review(sessions, planned=5).action == action


def test_a_session_of_zero_minutes_is_not_a_session_done():
    sessions = (session(0), session(2, minutes=0), session(4, minutes=0))
    assert review(sessions).reasons[0] == "1 of 3 planned sessions done (2 needed to advance)."


def test_a_week_without_sessions_repeats():
    decision = review(())
    assert decision.action == p.REPEAT
    assert decision.reasons == ("0 of 3 planned sessions done (2 needed to advance).", "Repeat week 3.")


def test_every_failed_rule_is_listed():
    sessions = (session(0, after=4, effort=15),)
    decision = review(sessions, baseline=3)
    assert len(decision.reasons) == 4  # pain, effort, sessions, "Repeat week 3."


# --- Caps (s5 "Caps") ---


@pytest.mark.parametrize("following, action", [(D("4.9"), p.ADVANCE), (D("5.0"), p.ADVANCE), (D("5.1"), p.REPEAT)])
def test_advancing_never_goes_above_the_speed_cap(following, action):
    decision = review(next_speed_kmh=following, max_speed_kmh=D("5.0"))
    assert decision.action == action
    if action == p.REPEAT:
        assert (
            decision.reasons[-1] == "Week 4's 5.1 km/h is above the cap of 5.0 km/h: repeat week 3 and adjust the plan."
        )


def target(week, *, speed="2.0", incline="0", bouts=2, minutes=10):
    return p.WeekTarget(
        week=week,
        sessions=3,
        bouts=bouts,
        bout_minutes=minutes,
        rest_minutes=D("1.0"),
        speed_kmh=D(speed),
        incline_pct=D(incline),
        support="rails_available",
    )


CAPS = p.PlanCaps(weeks=3, max_speed_kmh=D("4.0"), max_incline_pct=D("5.0"), max_session_minutes=30)


def test_targets_within_the_caps_pass():
    assert p.check_targets(CAPS, [target(1), target(2, speed="4.0", incline="5.0"), target(3, bouts=3)]) == []


@pytest.mark.parametrize(
    "week3, problem",
    [
        (target(3, speed="4.1"), "Week 3: 4.1 km/h is outside 0.1 to 4.0 km/h (the cap)."),
        (target(3, speed="0.0"), "Week 3: 0.0 km/h is outside 0.1 to 4.0 km/h (the cap)."),
        (target(3, incline="5.1"), "Week 3: incline 5.1 % is above the cap of 5.0 %."),
        (target(3, bouts=3, minutes=11), "Week 3: 33 minutes is outside 1 to 30 (the session cap)."),
    ],
)
def test_targets_above_a_cap_are_refused_with_the_week_and_cap(week3, problem):
    assert p.check_targets(CAPS, [target(1), target(2), week3]) == [problem]


def test_targets_must_cover_every_week():
    assert p.check_targets(CAPS, [target(1), target(3)]) == ["The program must have weeks 1 to 3."]


def test_personalised_speeds_never_exceed_the_cap():
    weeks = [
        p.TemplateWeekPlan(
            week=n,
            sessions=3,
            bouts=2,
            bout_minutes=10,
            rest_minutes=D(1),
            speed_fraction=D(f),
            incline_pct=D(0),
            support="",
        )
        for n, f in ((1, "1.00"), (2, "1.50"), (3, "2.00"))
    ]
    speeds = [t.speed_kmh for t in p.personalise(weeks=weeks, starting_speed_kmh=D("3.0"), max_speed_kmh=D("5.0"))]
    assert speeds == [D("3.0"), D("4.5"), D("5.0")]


@pytest.mark.parametrize("days_after, taken", [(0, True), (1, True), (7, True), (8, False), (40, False)])
def test_the_next_morning_pain_is_taken_for_a_week_after_the_session(days_after, taken):
    day = date(2026, 3, 4)
    assert p.takes_next_morning_pain(day, day + timedelta(days=days_after)) is taken
