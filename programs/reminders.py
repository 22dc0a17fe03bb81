"""When reminders and digests are due, in the clinic's time zone. Pure.

A reminder is due at its time of day on the clinic's calendar day, whatever daylight-saving does to that
day: a time that does not exist (the clocks jump over it) is due as long after the jump as it was meant
after the hour (02:30 becomes 03:30); a time that happens twice (the clocks fall back) is due the first
time, and only once, since a message is one row per user, kind and day. A moment that passed more than
``LATE_LIMIT`` ago while nothing ran is not sent late.

A patient's reminder is due on a planned session day (their chosen weekdays) within the running
program's dates, while the program is active, and not once today's session is logged.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# A reminder an hour late is still of use that day; later, the day has moved on (a default for review).
LATE_LIMIT = timedelta(hours=1)
# Sending is tried this many times, waiting RETRY_BASE × 2^(attempt - 1) between tries.
MAX_ATTEMPTS = 4
RETRY_BASE = timedelta(minutes=2)


def due_at(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The aware moment of ``at`` on ``day`` in ``zone``, daylight-saving gaps and folds included."""
    # fold=0: of a time that happens twice (the clocks fall back), the first. A time the clocks jump over
    # (02:30 when 02:00 becomes 03:00) is read with the offset before the jump: 03:30, as long after it.
    moment = datetime.combine(day, at, tzinfo=zone)
    return moment.astimezone(UTC).astimezone(zone)


def days_to_check(now: datetime, zone: ZoneInfo) -> list[date]:
    """The clinic's days whose moments may be due now: today, and yesterday for a moment just before
    midnight that the last run missed by minutes."""
    today = now.astimezone(zone).date()
    return [today - timedelta(days=1), today]


def in_window(due: datetime, now: datetime) -> bool:
    return due <= now <= due + LATE_LIMIT


def next_try(now: datetime, attempts: int) -> datetime:
    return now + RETRY_BASE * (2 ** max(attempts - 1, 0))


def reminder_wanted(
    *, day: date, weekdays: set[int], status: str | None, start: date | None, end: date | None, logged: bool
) -> bool:
    """Whether a patient's session reminder is wanted on ``day`` (the clinic's)."""
    if status != "active" or start is None or day < start or (end is not None and day > end):
        return False
    return day.isoweekday() in weekdays and not logged
