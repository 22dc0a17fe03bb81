"""The dashboard's flags at, below and above every threshold (programs/flags.py, pure)."""

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from programs.flags import FLAGS, SCREENING_DUE_DAYS, DashboardFacts, flags_of

TODAY = date(2026, 3, 18)
SCREENED = datetime(2026, 3, 1, 9, tzinfo=UTC)


def _facts(**changes) -> DashboardFacts:
    """An active program in its first week, screened, walked as planned: no flag."""
    quiet = DashboardFacts(
        pk=1,
        public_id=uuid.uuid4(),
        first_name="Pat",
        last_name="Jones",
        record_number="MRN-1",
        condition_name="Knee osteoarthritis",
        rx_id=7,
        rx_public_id=uuid.uuid4(),
        rx_status="active",
        rx_week=2,
        rx_weeks=6,
        rx_week_started_on=TODAY - timedelta(days=3),
        rx_start_date=TODAY - timedelta(days=10),
        rise_limit=5,
        scr_valid_until=TODAY + timedelta(days=60),
        scr_voided_at=None,
        scr_created_at=SCREENED,
        last_event_at=None,
        pain_last=2,
        pain_previous=2,
        done_7_days=3,
        done_sessions=6,
        planned_per_week=3,
    )
    return replace(quiet, **changes)


def _raised(**changes) -> set[str]:
    return {name for name, on in flags_of(_facts(**changes), today=TODAY).items() if on}


def test_a_program_going_as_planned_raises_nothing():
    assert _raised() == set()
    assert set(flags_of(_facts(), today=TODAY)) == {name for name, _, _ in FLAGS}


def test_a_fall_after_the_latest_screening_is_flagged_and_a_rescreen_clears_it():
    assert _raised(last_event_at=SCREENED + timedelta(seconds=1)) == {"flag_fall"}
    assert _raised(last_event_at=SCREENED) == set()  # the screening recorded at that moment is the rescreen
    assert _raised(last_event_at=SCREENED - timedelta(days=1)) == set()
    assert _raised(last_event_at=SCREENED, scr_created_at=None) == {"flag_fall"}


def test_a_void_screening_is_flagged_only_with_a_program():
    assert _raised(scr_voided_at=SCREENED) == {"flag_screening_void"}
    assert _raised(scr_voided_at=SCREENED, rx_id=None, rx_status=None) == set()


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        (-1, {"flag_screening_expired"}),
        (0, {"flag_screening_due"}),  # valid through today
        (SCREENING_DUE_DAYS, {"flag_screening_due"}),
        (SCREENING_DUE_DAYS + 1, set()),
    ],
)
def test_screening_expiry_and_renewal_at_their_thresholds(days_left, expected):
    assert _raised(scr_valid_until=TODAY + timedelta(days=days_left)) == expected


def test_a_void_screening_is_not_also_due_or_expired():
    assert _raised(scr_voided_at=SCREENED, scr_valid_until=TODAY - timedelta(days=3)) == {"flag_screening_void"}


@pytest.mark.parametrize(
    ("last", "previous", "raised"),
    [(5, 5, True), (6, 5, True), (5, 4, False), (4, 5, False), (None, 6, False), (6, None, False)],
)
def test_pain_rising_needs_the_last_two_sessions_at_or_above_the_limit(last, previous, raised):
    assert ("flag_pain" in _raised(pain_last=last, pain_previous=previous)) is raised


def test_a_week_review_waits_from_the_seventh_day_of_the_week():
    assert _raised(rx_week_started_on=TODAY - timedelta(days=7)) == {"flag_review"}
    assert _raised(rx_week_started_on=TODAY - timedelta(days=6)) == set()
    assert _raised(rx_week_started_on=TODAY - timedelta(days=9), rx_status="paused") == set()


def test_sessions_missed_counts_the_last_seven_days_once_the_program_has_run_six():
    assert _raised(done_7_days=2) == {"flag_missed"}
    assert _raised(done_7_days=3) == set()
    assert _raised(done_7_days=4) == set()
    assert _raised(done_7_days=0, rx_start_date=TODAY - timedelta(days=5)) == set()  # too early to tell
    assert _raised(done_7_days=0, rx_start_date=TODAY - timedelta(days=6)) == {"flag_missed"}
    assert _raised(done_7_days=0, rx_status="paused") == set()
    assert _raised(done_7_days=0, planned_per_week=None) == set()


def test_urgency_orders_a_fall_first_and_sums_the_flags():
    row = _facts(last_event_at=SCREENED + timedelta(hours=1), done_7_days=0)
    row.flags = flags_of(row, today=TODAY)
    assert [name for name, _ in row.flag_list] == ["flag_fall", "flag_missed"]
    assert row.urgency == 110
