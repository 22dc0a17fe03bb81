"""Progression engine (DESIGN.md "Progression engine"). Pure: dataclasses in and out.

Turns a template and a patient's starting speed into weekly targets
(CLINICAL.md section 5). Speeds never exceed the template's cap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from programs import template_rules

BACKWARD_TEST_METRES = Decimal(3)  # the 3-metre backward walk test [B1]
FORWARD_FRACTION = Decimal("0.5")  # else 50 % of comfortable forward speed [S1] (CLINICAL.md s5)
TENTH = Decimal("0.1")


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


@dataclass(frozen=True)
class SpeedSuggestion:
    kmh: Decimal
    basis: str


def suggest_starting_speed(
    *, rule: str, bmwt_seconds: Decimal | None, forward_kmh: Decimal, cap_kmh: Decimal
) -> SpeedSuggestion:
    """CLINICAL.md s5 "Starting speed": measured backward speed (3 m ÷ 3MBWT s), else
    50 % of the comfortable forward speed; stroke: the baseline overground speed [T1][S1]."""
    if rule == "overground_baseline":
        kmh, basis = forward_kmh, f"baseline overground speed {forward_kmh} km/h [T1]"
    elif bmwt_seconds:
        kmh = BACKWARD_TEST_METRES / bmwt_seconds * Decimal("3.6")
        basis = f"3 m ÷ {bmwt_seconds.normalize():f} s on the 3-metre backward walk"
    else:
        kmh, basis = forward_kmh * FORWARD_FRACTION, f"50 % of the comfortable forward speed {forward_kmh} km/h"
    kmh = max(TENTH, min(round_speed(kmh), cap_kmh))
    return SpeedSuggestion(kmh=kmh, basis=basis)


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
