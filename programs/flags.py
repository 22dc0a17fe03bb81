"""The clinician dashboard's flags: which of a patient's facts need attention, and how urgently. Pure.

``selectors.dashboard_facts`` reads every patient's facts in one query; this module
decides, from those facts and today's date alone, which flags are raised and the
order of urgency (DESIGN.md "Pages": screening due or void, fall reported, pain
rising, sessions missed).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils.translation import gettext_lazy as _

from programs.models import PrescriptionStatus

# Screening due for renewal within this many days (issue 5: "due within 7 days").
SCREENING_DUE_DAYS = 7


# (flag, weight, label): the weights order the dashboard, most urgent first.
FLAGS = (
    ("flag_fall", 100, _("Fall or near fall reported")),
    ("flag_screening_void", 40, _("Screening void")),
    ("flag_screening_expired", 40, _("Screening expired")),
    ("flag_pain", 30, _("Pain rising")),
    ("flag_review", 20, _("Week review waiting")),
    ("flag_missed", 10, _("Sessions missed")),
    ("flag_screening_due", 5, _("Screening due")),
)

# The daily digest counts these too (patients.selectors.portal_renewals_waiting).
PORTAL_RENEWALS = _("Portal link renewal asked for")


@dataclass
class DashboardFacts:
    """One patient's dashboard facts, read in one query with the whole caseload's."""

    pk: int
    public_id: uuid.UUID
    first_name: str
    last_name: str
    record_number: str
    condition_name: str
    rx_id: int | None
    rx_public_id: uuid.UUID | None
    rx_status: str | None
    rx_week: int | None
    rx_weeks: int | None
    rx_week_started_on: date | None
    rx_start_date: date | None
    rise_limit: int | None
    scr_valid_until: date | None
    scr_voided_at: datetime | None
    scr_created_at: datetime | None
    last_event_at: datetime | None
    pain_last: int | None
    pain_previous: int | None
    done_7_days: int
    done_sessions: int
    planned_per_week: int | None
    flags: dict[str, bool] = field(default_factory=dict)

    @property
    def urgency(self) -> int:
        return sum(weight for name, weight, _ in FLAGS if self.flags[name])

    @property
    def flag_list(self) -> list[tuple[str, str]]:
        """The (flag name, label) pairs set, most urgent first."""
        return [(name, label) for name, _, label in FLAGS if self.flags[name]]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def _at_least(value, limit) -> bool:
    return value is not None and limit is not None and value >= limit


def flags_of(row: DashboardFacts, *, today: date) -> dict[str, bool]:
    """Which flags the patient's facts raise today."""
    has_rx = row.rx_id is not None
    active = row.rx_status == PrescriptionStatus.ACTIVE
    live_screening = has_rx and row.scr_voided_at is None and row.scr_valid_until is not None
    return {
        "flag_fall": row.last_event_at is not None
        and (row.scr_created_at is None or row.last_event_at > row.scr_created_at),
        "flag_screening_void": has_rx and row.scr_voided_at is not None,
        "flag_screening_expired": live_screening and row.scr_valid_until < today,
        "flag_screening_due": live_screening
        and today <= row.scr_valid_until <= today + timedelta(days=SCREENING_DUE_DAYS),
        "flag_pain": has_rx
        and _at_least(row.pain_last, row.rise_limit)
        and _at_least(row.pain_previous, row.rise_limit),
        "flag_review": active and row.rx_week_started_on <= today - timedelta(days=7),
        "flag_missed": active
        and row.rx_start_date <= today - timedelta(days=6)
        and row.planned_per_week is not None
        and row.done_7_days < row.planned_per_week,
    }
