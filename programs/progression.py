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

from django.utils.formats import date_format, localize
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
EVENT_WORDS = {"near_fall": gettext_lazy("Near fall"), "fall": gettext_lazy("Fall")}


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
    return date_format(d, "MONTH_DAY_FORMAT")


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
                _("%(event)s on %(day)s: the program pauses and the screening is void; rescreen before resuming.")
                % {"event": EVENT_WORDS.get(s.event, EVENT_WORDS["fall"]), "day": _day(s.session_date)}
                for s in events
            ),
        )

    limit = review.baseline_pain + rules.max_pain_rise
    for earlier, later in pairwise(sessions):
        if earlier.pain >= limit and later.pain >= limit:
            why = {
                "pain": earlier.pain,
                "day": _day(earlier.session_date),
                "later_pain": later.pain,
                "later_day": _day(later.session_date),
                "rise": rules.max_pain_rise,
                "baseline": review.baseline_pain,
                "week": week - 1,
            }
            if week > 1:
                reason = _(
                    "Pain %(pain)s/10 on %(day)s and %(later_pain)s/10 on %(later_day)s: %(rise)s or more above the "
                    "baseline %(baseline)s/10 two sessions running: step back to week %(week)s."
                )
                return Decision(STEP_BACK, week - 1, (reason % why,))
            reason = _(
                "Pain %(pain)s/10 on %(day)s and %(later_pain)s/10 on %(later_day)s: %(rise)s or more above the "
                "baseline %(baseline)s/10 two sessions running: already at week 1, so repeat it."
            )
            return Decision(REPEAT, week, (reason % why,))

    failed: list[str] = []
    met: list[str] = []
    peak = max((s.pain for s in sessions), default=None)
    if peak is not None and peak > rules.max_pain:
        failed.append(
            _("Pain reached %(peak)s/10 (advance only at %(max)s/10 or less).") % {"peak": peak, "max": rules.max_pain}
        )
    elif peak is not None:
        met.append(_("pain at most %(peak)s/10") % {"peak": peak})
    risen = [s for s in sessions if s.pain >= limit]
    if risen:
        s = risen[0]
        failed.append(
            _("Pain %(pain)s/10 on %(day)s was %(rise)s or more above the baseline %(baseline)s/10.")
            % {
                "pain": s.pain,
                "day": _day(s.session_date),
                "rise": rules.max_pain_rise,
                "baseline": review.baseline_pain,
            }
        )
    worse = [s for s in sessions if s.pain_next_day is not None and s.pain_next_day > s.pain_before]
    if worse:
        s = worse[0]
        failed.append(
            _("Pain was worse the morning after %(day)s (%(next_day)s/10, %(before)s/10 before the session).")
            % {"day": _day(s.session_date), "next_day": s.pain_next_day, "before": s.pain_before}
        )
    hardest = max((s.effort for s in sessions), default=None)
    if hardest is not None and hardest > rules.max_effort:
        failed.append(
            _("Effort reached Borg %(hardest)s (advance only at %(max)s, somewhat hard, or less).")
            % {"hardest": hardest, "max": rules.max_effort}
        )
    elif hardest is not None:
        met.append(_("effort at most Borg %(hardest)s") % {"hardest": hardest})
    done = sum(1 for s in sessions if s.minutes > 0)
    needed = sessions_needed(review.planned_sessions, rules.min_adherence_pct)
    if done < needed:
        failed.append(
            _("%(done)s of %(planned)s planned sessions done (%(needed)s needed to advance).")
            % {"done": done, "planned": review.planned_sessions, "needed": needed}
        )
    else:
        met.append(_("%(done)s of %(planned)s sessions done") % {"done": done, "planned": review.planned_sessions})

    if failed:
        return Decision(REPEAT, week, (*failed, _("Repeat week %(week)s.") % {"week": week}))
    summary = _("No fall or near fall, %(met)s.") % {"met": ", ".join(met)}
    if week >= review.weeks:
        return Decision(
            COMPLETE, week, (summary, _("Week %(week)s was the last week: the program is complete.") % {"week": week})
        )
    cap, following = review.max_speed_kmh, review.next_speed_kmh
    if cap is not None and following is not None and following > cap:
        return Decision(
            REPEAT,
            week,
            (
                summary,
                _(
                    "Week %(next)s's %(speed)s km/h is above the cap of %(cap)s km/h: "
                    "repeat week %(week)s and adjust the plan."
                )
                % {"next": week + 1, "speed": localize(following), "cap": localize(cap), "week": week},
            ),
        )
    return Decision(ADVANCE, week + 1, (summary, _("Advance to week %(week)s.") % {"week": week + 1}))


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
        problems.append(_("The program must have weeks 1 to %(weeks)s.") % {"weeks": caps.weeks})
    for t in targets:
        if not (0 < t.speed_kmh <= caps.max_speed_kmh):
            problems.append(
                _("Week %(week)s: %(speed)s km/h is outside 0.1 to %(cap)s km/h (the cap).")
                % {"week": t.week, "speed": localize(t.speed_kmh), "cap": localize(caps.max_speed_kmh)}
            )
        if not (0 <= t.incline_pct <= caps.max_incline_pct):
            problems.append(
                _("Week %(week)s: incline %(incline)s %% is above the cap of %(cap)s %%.")
                % {"week": t.week, "incline": localize(t.incline_pct), "cap": localize(caps.max_incline_pct)}
            )
        if not (1 <= t.session_minutes <= caps.max_session_minutes):
            problems.append(
                _("Week %(week)s: %(minutes)s minutes is outside 1 to %(cap)s (the session cap).")
                % {"week": t.week, "minutes": t.session_minutes, "cap": caps.max_session_minutes}
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
