"""Progression engine (DESIGN.md "Progression engine"). Pure: dataclasses in and out.

Turns a template and a patient's starting speed into weekly targets, decides at
each week's end whether to advance, repeat, step back or pause, and checks
adjusted plans against the caps (CLINICAL.md section 5). Speeds never exceed
the template's cap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from programs import template_rules

BACKWARD_TEST_METRES = Decimal(3)  # the 3-metre backward walk test [B1]
FORWARD_FRACTION = Decimal("0.5")  # else 50 % of comfortable forward speed [S1] (CLINICAL.md s5)
TENTH = Decimal("0.1")
# The advance rules ask whether pain was worse the next day over the last week (CLINICAL.md s5 [G2][G3][T8]):
# a session's next-morning pain is taken for a week after it, while it is still the morning after, not a
# recollection weeks later that no decision reads.
NEXT_MORNING_DAYS = 7


def takes_next_morning_pain(session_date: date, today: date) -> bool:
    """Whether the pain of the morning after a session can still be added today."""
    return (today - session_date).days <= NEXT_MORNING_DAYS


def round_speed(kmh: Decimal) -> Decimal:
    return kmh.quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class TemplateWeekPlan:
    week: int
    sessions: int
    bouts: int
    bout_minutes: int
    rest_minutes: Decimal
    speed_fraction: Decimal
    incline_pct: Decimal
    support: str
    note: str = ""

    def as_plan(self) -> template_rules.WeekPlan:
        return template_rules.WeekPlan(
            week=self.week,
            bouts=self.bouts,
            bout_minutes=self.bout_minutes,
            speed_fraction=self.speed_fraction,
            incline_pct=self.incline_pct,
        )


@dataclass(frozen=True)
class WeekTarget:
    week: int
    sessions: int
    bouts: int
    bout_minutes: int
    rest_minutes: Decimal
    speed_kmh: Decimal
    incline_pct: Decimal
    support: str
    note: str = ""

    @property
    def session_minutes(self) -> int:
        return self.bouts * self.bout_minutes


# What a suggested starting speed is based on (the page says it in the reader's unit).
OVERGROUND_BASELINE, BACKWARD_WALK_TEST, FORWARD_SPEED = "overground_baseline", "backward_walk_test", "forward_speed"


@dataclass(frozen=True)
class SpeedSuggestion:
    kmh: Decimal
    basis: str  # OVERGROUND_BASELINE, BACKWARD_WALK_TEST or FORWARD_SPEED
    forward_kmh: Decimal
    bmwt_seconds: Decimal | None = None


def suggest_starting_speed(
    *, rule: str, bmwt_seconds: Decimal | None, forward_kmh: Decimal, cap_kmh: Decimal
) -> SpeedSuggestion:
    """CLINICAL.md s5 "Starting speed": measured backward speed (3 m ÷ 3MBWT s), else
    50 % of the comfortable forward speed; stroke: the baseline overground speed [T1][S1]."""
    if rule == "overground_baseline":
        kmh, basis = forward_kmh, OVERGROUND_BASELINE
    elif bmwt_seconds:
        kmh, basis = BACKWARD_TEST_METRES / bmwt_seconds * Decimal("3.6"), BACKWARD_WALK_TEST
    else:
        kmh, basis = forward_kmh * FORWARD_FRACTION, FORWARD_SPEED
    kmh = max(TENTH, min(round_speed(kmh), cap_kmh))
    return SpeedSuggestion(kmh=kmh, basis=basis, forward_kmh=forward_kmh, bmwt_seconds=bmwt_seconds)


def personalise(
    *, weeks: Sequence[TemplateWeekPlan], starting_speed_kmh: Decimal, max_speed_kmh: Decimal
) -> list[WeekTarget]:
    """Each week's speed = starting speed × the week's fraction, rounded to 0.1 km/h, never above the cap."""
    targets = []
    for plan in sorted(weeks, key=lambda w: w.week):
        speed = min(round_speed(starting_speed_kmh * plan.speed_fraction), max_speed_kmh)
        targets.append(
            WeekTarget(
                week=plan.week,
                sessions=plan.sessions,
                bouts=plan.bouts,
                bout_minutes=plan.bout_minutes,
                rest_minutes=plan.rest_minutes,
                speed_kmh=max(speed, TENTH),
                incline_pct=plan.incline_pct,
                support=plan.support,
                note=plan.note,
            )
        )
    return targets


# --- Week-end decisions (CLINICAL.md s5 "Advance only if" / "Otherwise" / "Fall or near-fall") ---

ADVANCE = "advance"
REPEAT = "repeat"
STEP_BACK = "step_back"
PAUSE = "pause"
COMPLETE = "complete"
NO_EVENT = "none"
EVENT_WORDS = {"near_fall": "Near fall", "fall": "Fall"}


@dataclass(frozen=True)
class AdvanceRules:
    """The template's thresholds; defaults are CLINICAL.md s5 [G2][G3][T8]."""

    max_pain: int = 3  # pain NRS ≤ 3/10 [G2]
    max_pain_rise: int = 2  # not ≥ 2 points above baseline [G2]
    max_effort: int = 13  # Borg 6–20 ≤ 13, "somewhat hard" [G3]
    min_adherence_pct: int = 66  # ≥ 2/3 of planned sessions [G2][T8]


@dataclass(frozen=True)
class SessionFacts:
    session_date: date
    minutes: int
    pain_before: int
    pain_after: int
    effort: int
    event: str = NO_EVENT
    pain_next_day: int | None = None

    @property
    def pain(self) -> int:
        """A session's pain: the higher of before and after."""
        return max(self.pain_before, self.pain_after)


@dataclass(frozen=True)
class WeekReview:
    week: int  # the week in force
    weeks: int  # the program's last week
    planned_sessions: int
    baseline_pain: int
    sessions: Sequence[SessionFacts]
    rules: AdvanceRules = AdvanceRules()
    next_speed_kmh: Decimal | None = None  # the next week's target, checked against the cap
    max_speed_kmh: Decimal | None = None


@dataclass(frozen=True)
class Decision:
    action: str
    next_week: int
    reasons: tuple[str, ...]


def sessions_needed(planned: int, min_pct: int) -> int:
    """The fewest sessions that meet the adherence rule: ceil(planned × pct / 100)."""
    return -(-planned * min_pct // 100)


def _day(d: date) -> str:
    return f"{d.day} {d:%b}"


def decide(review: WeekReview) -> Decision:
    """Advance, repeat, step back, pause or complete, with the reasons (CLINICAL.md s5).

    Order: a fall or near fall pauses; pain ≥ rise above baseline in two sessions
    running steps back one week; otherwise every advance rule must hold, or the
    week is repeated. Advancing past the last week completes the program.
    """
    rules = review.rules
    sessions = sorted(review.sessions, key=lambda s: s.session_date)
    week = review.week

    events = [s for s in sessions if s.event != NO_EVENT]
    if events:
        return Decision(
            PAUSE,
            week,
            tuple(
                f"{EVENT_WORDS.get(s.event, 'Fall')} on {_day(s.session_date)}: the program pauses and the screening "
                "is void; rescreen before resuming."
                for s in events
            ),
        )

    limit = review.baseline_pain + rules.max_pain_rise
    for earlier, later in pairwise(sessions):
        if earlier.pain >= limit and later.pain >= limit:
            why = (
                f"Pain {earlier.pain}/10 on {_day(earlier.session_date)} and {later.pain}/10 on "
                f"{_day(later.session_date)}: {rules.max_pain_rise} or more above the baseline "
                f"{review.baseline_pain}/10 two sessions running"
            )
            if week > 1:
                return Decision(STEP_BACK, week - 1, (f"{why}: step back to week {week - 1}.",))
            return Decision(REPEAT, week, (f"{why}: already at week 1, so repeat it.",))

    failed: list[str] = []
    met: list[str] = []
    peak = max((s.pain for s in sessions), default=None)
    if peak is not None and peak > rules.max_pain:
        failed.append(f"Pain reached {peak}/10 (advance only at {rules.max_pain}/10 or less).")
    elif peak is not None:
        met.append(f"pain at most {peak}/10")
    risen = [s for s in sessions if s.pain >= limit]
    if risen:
        s = risen[0]
        failed.append(
            f"Pain {s.pain}/10 on {_day(s.session_date)} was {rules.max_pain_rise} or more above the baseline "
            f"{review.baseline_pain}/10."
        )
    worse = [s for s in sessions if s.pain_next_day is not None and s.pain_next_day > s.pain_before]
    if worse:
        s = worse[0]
        failed.append(
            f"Pain was worse the morning after {_day(s.session_date)} ({s.pain_next_day}/10, "
            f"{s.pain_before}/10 before the session)."
        )
    hardest = max((s.effort for s in sessions), default=None)
    if hardest is not None and hardest > rules.max_effort:
        failed.append(f"Effort reached Borg {hardest} (advance only at {rules.max_effort}, somewhat hard, or less).")
    elif hardest is not None:
        met.append(f"effort at most Borg {hardest}")
    done = sum(1 for s in sessions if s.minutes > 0)
    needed = sessions_needed(review.planned_sessions, rules.min_adherence_pct)
    if done < needed:
        failed.append(f"{done} of {review.planned_sessions} planned sessions done ({needed} needed to advance).")
    else:
        met.append(f"{done} of {review.planned_sessions} sessions done")

    if failed:
        return Decision(REPEAT, week, (*failed, f"Repeat week {week}."))
    summary = "No fall or near fall, " + ", ".join(met) + "."
    if week >= review.weeks:
        return Decision(COMPLETE, week, (summary, f"Week {week} was the last week: the program is complete."))
    cap, following = review.max_speed_kmh, review.next_speed_kmh
    if cap is not None and following is not None and following > cap:
        return Decision(
            REPEAT,
            week,
            (
                summary,
                f"Week {week + 1}'s {following} km/h is above the cap of {cap} km/h: repeat week {week} "
                "and adjust the plan.",
            ),
        )
    return Decision(ADVANCE, week + 1, (summary, f"Advance to week {week + 1}."))


# --- Adjusting a plan: every week within the template's caps (CLINICAL.md s5 "Caps") ---


@dataclass(frozen=True)
class PlanCaps:
    weeks: int
    max_speed_kmh: Decimal
    max_incline_pct: Decimal
    max_session_minutes: int


def check_targets(caps: PlanCaps, targets: Sequence[WeekTarget]) -> list[str]:
    """Why these weekly targets break the caps; empty when they keep them."""
    problems = []
    if [t.week for t in targets] != list(range(1, caps.weeks + 1)):
        problems.append(f"The program must have weeks 1 to {caps.weeks}.")
    for t in targets:
        if not (0 < t.speed_kmh <= caps.max_speed_kmh):
            problems.append(f"Week {t.week}: {t.speed_kmh} km/h is outside 0.1 to {caps.max_speed_kmh} km/h (the cap).")
        if not (0 <= t.incline_pct <= caps.max_incline_pct):
            problems.append(f"Week {t.week}: incline {t.incline_pct} % is above the cap of {caps.max_incline_pct} %.")
        if not (1 <= t.session_minutes <= caps.max_session_minutes):
            problems.append(
                f"Week {t.week}: {t.session_minutes} minutes is outside 1 to {caps.max_session_minutes} "
                "(the session cap)."
            )
    return problems


def adherence_pct(stages: Sequence[tuple[int, int]], done: int) -> int | None:
    """Sessions done as a % of sessions planned: ``stages`` are (sessions per week, days in force).

    None until a whole session was due; at most 100.
    """
    planned = sum(Decimal(sessions) * days / 7 for sessions, days in stages)
    if planned < 1:
        return None
    return min(100, int((Decimal(done) * 100 / planned).to_integral_value(rounding=ROUND_HALF_UP)))


def week_in_force(on: date, *, current_week: int, week_started_on: date, decisions: Sequence[tuple[date, int]]) -> int:
    """The program week whose targets applied on a date: the last review on or before it decides.

    ``decisions`` are (decided on, next week) in date order.
    """
    if on >= week_started_on:
        return current_week
    earlier = [next_week for decided_on, next_week in decisions if decided_on <= on]
    return earlier[-1] if earlier else 1
