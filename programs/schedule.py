"""Which days a program's sessions fall on, for the calendar feed. Pure.

A week's sessions fall on the patient's chosen session days (the days of their reminders) when they chose
some, up to the week's number of sessions; otherwise they are spread over its seven days from the day the
week started, with a rest day between sessions where the week has room (three sessions: days 1, 3 and 5).
``planned_sessions`` walks the program's calendar weeks as the progress chart counts them
(``charts.progress_series``: the targets in force each week, and the weeks still ahead), so an adjusted
week, a step back or a pause changes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

# Day offsets from the week's first day, by sessions a week (a product default for review).
SPREAD = {
    1: (0,),
    2: (0, 3),
    3: (0, 2, 4),
    4: (0, 1, 3, 5),
    5: (0, 1, 2, 4, 5),
    6: (0, 1, 2, 3, 4, 5),
    7: (0, 1, 2, 3, 4, 5, 6),
}


@dataclass(frozen=True)
class PlannedSession:
    day: date
    week: int  # the program week whose targets are in force


def session_days(week_start: date, sessions: int) -> list[date]:
    return [week_start + timedelta(days=offset) for offset in SPREAD[max(1, min(sessions, 7))]]


def chosen_days(week_start: date, sessions: int, weekdays: set[int]) -> list[date]:
    """The week's first ``sessions`` days among the patient's chosen weekdays (ISO numbers)."""
    days = [week_start + timedelta(days=offset) for offset in range(7)]
    return [day for day in days if day.isoweekday() in weekdays][:sessions]


def planned_sessions(series: Sequence, *, paused: bool, today: date, weekdays: set[int] = frozenset()) -> list:
    """Every planned session of the program's calendar weeks, on the patient's chosen session days (their
    reminders' days) when they chose some, else spread; none from today on while the program is paused."""
    sessions = []
    for week in series:
        days = (
            chosen_days(week.starts, week.planned_sessions, weekdays)
            if weekdays
            else session_days(week.starts, week.planned_sessions)
        )
        for day in days:
            if paused and day >= today:
                continue
            sessions.append(PlannedSession(day, week.week))
    return sessions
