"""Is a program template internally consistent? Pure: plain values in, problems out.

A template describes speed as a fraction of the patient's starting speed, and
names the fastest starting speed it is written for. That makes the speed cap
checkable on the template itself: the fastest patient it admits, in its
fastest week, must stay at or under the cap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from programs import limits


@dataclass(frozen=True)
class TemplateCaps:
    weeks: int
    max_speed_kmh: Decimal
    max_incline_pct: Decimal
    max_session_minutes: int
    max_start_speed_kmh: Decimal


@dataclass(frozen=True)
class WeekPlan:
    week: int
    bouts: int
    bout_minutes: int
    speed_fraction: Decimal
    incline_pct: Decimal

    @property
    def session_minutes(self) -> int:
        return self.bouts * self.bout_minutes


@dataclass(frozen=True)
class Problem:
    field: str  # the field to show the message beside
    message: str
    week: int | None = None  # None: the template itself


def _kmh(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} km/h"


def check_caps(caps: TemplateCaps) -> list[Problem]:
    problems = []
    if not (0 < caps.max_speed_kmh <= limits.MAX_BACKWARD_SPEED_KMH):
        problems.append(
            Problem(
                "max_speed_kmh",
                f"The speed cap must be above 0 and at most {_kmh(limits.MAX_BACKWARD_SPEED_KMH)} "
                "(backward walk–run transition is about 5.9 km/h).",
            )
        )
    if not (0 <= caps.max_incline_pct <= limits.MAX_INCLINE_PCT):
        problems.append(
            Problem("max_incline_pct", f"The incline cap must be between 0 and {limits.MAX_INCLINE_PCT} %.")
        )
    if not (limits.MIN_SESSION_MINUTES <= caps.max_session_minutes <= limits.MAX_SESSION_MINUTES):
        problems.append(
            Problem(
                "max_session_minutes",
                f"The session cap must be between {limits.MIN_SESSION_MINUTES} and "
                f"{limits.MAX_SESSION_MINUTES} minutes.",
            )
        )
    if not (0 < caps.max_start_speed_kmh <= caps.max_speed_kmh):
        problems.append(
            Problem(
                "max_start_speed_kmh",
                f"The fastest starting speed must be above 0 and at most the speed cap ({_kmh(caps.max_speed_kmh)}).",
            )
        )
    return problems


def check_week(caps: TemplateCaps, week: WeekPlan) -> list[Problem]:
    problems = []
    label = f"Week {week.week}"
    minutes = week.session_minutes
    if not (limits.MIN_SESSION_MINUTES <= minutes <= limits.MAX_SESSION_MINUTES):
        problems.append(
            Problem(
                "bout_minutes",
                f"{label}: {week.bouts} × {week.bout_minutes} = {minutes} minutes is outside "
                f"{limits.MIN_SESSION_MINUTES}–{limits.MAX_SESSION_MINUTES} minutes.",
                week.week,
            )
        )
    elif minutes > caps.max_session_minutes:
        problems.append(
            Problem(
                "bout_minutes",
                f"{label}: {minutes} minutes is above the template's session cap of {caps.max_session_minutes}.",
                week.week,
            )
        )
    if not (0 <= week.incline_pct <= limits.MAX_INCLINE_PCT):
        problems.append(
            Problem(
                "incline_pct",
                f"{label}: incline must be between 0 and {limits.MAX_INCLINE_PCT} %.",
                week.week,
            )
        )
    elif week.incline_pct > caps.max_incline_pct:
        problems.append(
            Problem(
                "incline_pct",
                f"{label}: incline {week.incline_pct} % is above the template's cap of {caps.max_incline_pct} %.",
                week.week,
            )
        )
    if not (0 < week.speed_fraction <= limits.MAX_SPEED_FRACTION):
        problems.append(
            Problem(
                "speed_fraction",
                f"{label}: the speed fraction must be above 0 and at most {limits.MAX_SPEED_FRACTION}.",
                week.week,
            )
        )
    elif caps.max_start_speed_kmh > 0:
        fastest = caps.max_start_speed_kmh * week.speed_fraction
        if fastest > caps.max_speed_kmh:
            problems.append(
                Problem(
                    "speed_fraction",
                    f"{label}: speed {week.speed_fraction} × the fastest start {_kmh(caps.max_start_speed_kmh)} "
                    f"= {_kmh(fastest)} is above the speed cap of {_kmh(caps.max_speed_kmh)}.",
                    week.week,
                )
            )
    return problems


def check_week_numbers(caps: TemplateCaps, numbers: Sequence[int]) -> list[Problem]:
    expected = list(range(1, caps.weeks + 1))
    if sorted(numbers) == expected:
        return []
    seen = sorted(numbers)
    duplicates = sorted({n for n in seen if seen.count(n) > 1})
    missing = [n for n in expected if n not in seen]
    extra = [n for n in seen if n not in expected]
    parts = []
    if missing:
        parts.append("missing " + ", ".join(map(str, missing)))
    if duplicates:
        parts.append("repeated " + ", ".join(map(str, duplicates)))
    if extra:
        parts.append("beyond the template's length: " + ", ".join(map(str, sorted(set(extra)))))
    return [
        Problem(
            "weeks",
            f"Weeks must be numbered 1 to {caps.weeks} without gaps ({'; '.join(parts)}).",
        )
    ]


def check_template(caps: TemplateCaps, weeks: Sequence[WeekPlan]) -> list[Problem]:
    """Every problem with a template and its weeks, in the order a person would fix them."""
    problems = check_caps(caps)
    problems += check_week_numbers(caps, [w.week for w in weeks])
    for week in sorted(weeks, key=lambda w: w.week):
        problems += check_week(caps, week)
    return problems
