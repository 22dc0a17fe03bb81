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

from django.utils.formats import localize
from django.utils.translation import gettext as _

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
    return _("%(speed)s km/h") % {"speed": localize(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))}


def check_caps(caps: TemplateCaps) -> list[Problem]:
    problems = []
    if not 1 <= caps.weeks <= limits.MAX_WEEKS:
        problems.append(Problem("weeks", _("A template lasts 1 to %(weeks)s weeks.") % {"weeks": limits.MAX_WEEKS}))
    if not (0 < caps.max_speed_kmh <= limits.MAX_BACKWARD_SPEED_KMH):
        problems.append(
            Problem(
                "max_speed_kmh",
                _("The speed cap must be above 0 and at most %(cap)s (backward walk–run transition is about 5.9 km/h).")
                % {"cap": _kmh(limits.MAX_BACKWARD_SPEED_KMH)},
            )
        )
    if not (0 <= caps.max_incline_pct <= limits.MAX_INCLINE_PCT):
        problems.append(
            Problem(
                "max_incline_pct",
                _("The incline cap must be between 0 and %(cap)s %%.") % {"cap": localize(limits.MAX_INCLINE_PCT)},
            )
        )
    if not (limits.MIN_SESSION_MINUTES <= caps.max_session_minutes <= limits.MAX_SESSION_MINUTES):
        problems.append(
            Problem(
                "max_session_minutes",
                _("The session cap must be between %(low)s and %(high)s minutes.")
                % {"low": limits.MIN_SESSION_MINUTES, "high": limits.MAX_SESSION_MINUTES},
            )
        )
    if not (0 < caps.max_start_speed_kmh <= caps.max_speed_kmh):
        problems.append(
            Problem(
                "max_start_speed_kmh",
                _("The fastest starting speed must be above 0 and at most the speed cap (%(cap)s).")
                % {"cap": _kmh(caps.max_speed_kmh)},
            )
        )
    return problems


def check_week(caps: TemplateCaps, week: WeekPlan) -> list[Problem]:
    problems = []
    label = _("Week %(week)s") % {"week": week.week}
    minutes = week.session_minutes
    if not (limits.MIN_SESSION_MINUTES <= minutes <= limits.MAX_SESSION_MINUTES):
        problems.append(
            Problem(
                "bout_minutes",
                _("%(week)s: %(bouts)s × %(bout_minutes)s = %(minutes)s minutes is outside %(low)s–%(high)s minutes.")
                % {
                    "week": label,
                    "bouts": week.bouts,
                    "bout_minutes": week.bout_minutes,
                    "minutes": minutes,
                    "low": limits.MIN_SESSION_MINUTES,
                    "high": limits.MAX_SESSION_MINUTES,
                },
                week.week,
            )
        )
    elif minutes > caps.max_session_minutes:
        problems.append(
            Problem(
                "bout_minutes",
                _("%(week)s: %(minutes)s minutes is above the template's session cap of %(cap)s.")
                % {"week": label, "minutes": minutes, "cap": caps.max_session_minutes},
                week.week,
            )
        )
    if not (0 <= week.incline_pct <= limits.MAX_INCLINE_PCT):
        problems.append(
            Problem(
                "incline_pct",
                _("%(week)s: incline must be between 0 and %(cap)s %%.")
                % {"week": label, "cap": localize(limits.MAX_INCLINE_PCT)},
                week.week,
            )
        )
    elif week.incline_pct > caps.max_incline_pct:
        problems.append(
            Problem(
                "incline_pct",
                _("%(week)s: incline %(incline)s %% is above the template's cap of %(cap)s %%.")
                % {"week": label, "incline": localize(week.incline_pct), "cap": localize(caps.max_incline_pct)},
                week.week,
            )
        )
    if not (0 < week.speed_fraction <= limits.MAX_SPEED_FRACTION):
        problems.append(
            Problem(
                "speed_fraction",
                _("%(week)s: the speed fraction must be above 0 and at most %(max)s.")
                % {"week": label, "max": localize(limits.MAX_SPEED_FRACTION)},
                week.week,
            )
        )
    elif caps.max_start_speed_kmh > 0:
        fastest = caps.max_start_speed_kmh * week.speed_fraction
        if fastest > caps.max_speed_kmh:
            problems.append(
                Problem(
                    "speed_fraction",
                    _(
                        "%(week)s: speed %(fraction)s × the fastest start %(start)s = %(fastest)s "
                        "is above the speed cap of %(cap)s."
                    )
                    % {
                        "week": label,
                        "fraction": localize(week.speed_fraction),
                        "start": _kmh(caps.max_start_speed_kmh),
                        "fastest": _kmh(fastest),
                        "cap": _kmh(caps.max_speed_kmh),
                    },
                    week.week,
                )
            )
    return problems


def check_week_numbers(caps: TemplateCaps, numbers: Sequence[int]) -> list[Problem]:
    if not 1 <= caps.weeks <= limits.MAX_WEEKS:
        return []  # the length itself is refused (check_caps): there are no week numbers to expect
    expected = list(range(1, caps.weeks + 1))
    if sorted(numbers) == expected:
        return []
    seen = sorted(numbers)
    duplicates = sorted({n for n in seen if seen.count(n) > 1})
    missing = [n for n in expected if n not in seen]
    extra = [n for n in seen if n not in expected]
    parts = []
    if missing:
        parts.append(_("missing %(weeks)s") % {"weeks": ", ".join(map(str, missing))})
    if duplicates:
        parts.append(_("repeated %(weeks)s") % {"weeks": ", ".join(map(str, duplicates))})
    if extra:
        parts.append(_("beyond the template's length: %(weeks)s") % {"weeks": ", ".join(map(str, sorted(set(extra))))})
    return [
        Problem(
            "weeks",
            _("Weeks must be numbered 1 to %(weeks)s without gaps (%(problems)s).")
            % {"weeks": caps.weeks, "problems": "; ".join(parts)},
        )
    ]


def check_template(caps: TemplateCaps, weeks: Sequence[WeekPlan]) -> list[Problem]:
    """Every problem with a template and its weeks, in the order a person would fix them."""
    problems = check_caps(caps)
    problems += check_week_numbers(caps, [w.week for w in weeks])
    for week in sorted(weeks, key=lambda w: w.week):
        problems += check_week(caps, week)
    return problems
