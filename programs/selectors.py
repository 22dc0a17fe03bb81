"""Reads scoped to the user, and the clinician dashboard's flags.

Every list here is a fixed number of queries whatever the number of patients,
weeks or logs: the facts behind the flags come from one query for the whole
caseload, and the adherence from one more (the caseload's week decisions).
The dashboard's two and a program's own rows are prepared queries
(retrowalk.prepared): built and compiled once per connection.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta

from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404

from patients.models import BalanceScreening, Patient
from patients.selectors import scoped_lookup
from programs import progression
from programs.models import (
    CURRENT_STATUSES,
    Prescription,
    PrescriptionStatus,
    PrescriptionWeek,
    ProgramTemplate,
    ProgressionDecision,
    SessionEvent,
    SessionLog,
)
from retrowalk.prepared import PreparedQuery
from retrowalk.roles import is_clinician, is_patient

# Screening due for renewal within this many days (issue 5: "due within 7 days").
SCREENING_DUE_DAYS = 7


# The rows a program is read with wherever the views show it (its patient, template and prescriber).
_SCOPED_RELATED = ("patient", "patient__condition", "patient__user", "template", "prescriber")


def prescriptions_for(*, user) -> QuerySet[Prescription]:
    base = Prescription.objects.select_related(*_SCOPED_RELATED)
    if is_clinician(user):
        return base.filter(patient__care_team=user)
    if is_patient(user):
        return base.filter(patient__user=user)
    return Prescription.objects.none()


def _own_programs(*, user_id: int) -> QuerySet[Prescription]:
    return (
        Prescription.objects.select_related(*_SCOPED_RELATED)
        .filter(patient__user=user_id)
        .order_by("-start_date", "-created_at")
    )


_OWN_PROGRAMS = PreparedQuery(_own_programs, user_id=int)


def own_programs(*, user) -> list[Prescription]:
    """A patient's own programs, newest first (none for anyone else)."""
    return _OWN_PROGRAMS.run(user_id=user.pk) if is_patient(user) else []


_SCOPED: dict[tuple[str, tuple[str, ...]], PreparedQuery] = {}


def _scoped_program(role: str, related: tuple[str, ...]) -> PreparedQuery:
    """One program in the user's scope: prepared once per role and set of related rows (the views use a few)."""
    found = _SCOPED.get((role, related))
    if found is None:
        scope = "patient__care_team" if role == "clinician" else "patient__user"

        def build(*, user_id: int, public_id: uuid.UUID) -> QuerySet[Prescription]:
            return Prescription.objects.select_related(*related).filter(**{scope: user_id}, public_id=public_id)

        found = _SCOPED[(role, related)] = PreparedQuery(build, user_id=int, public_id=uuid.UUID)
    return found


def prescription_for(*, user, public_id: uuid.UUID | str, related: tuple[str, ...] | None = None) -> Prescription:
    """The program if the user may see it; otherwise 404. ``related`` narrows the rows read with it."""
    role, public_id = scoped_lookup(user, public_id)
    found = (
        []
        if role is None
        else _scoped_program(role, related or _SCOPED_RELATED).run(user_id=user.pk, public_id=public_id)
    )
    if len(found) != 1:
        raise Http404("No such program.")
    return found[0]


def _chart_programs(*, patient_id: int) -> QuerySet[Prescription]:
    # The current program (at most one) first, then the latest 20 others.
    current_first = Case(When(status__in=CURRENT_STATUSES, then=Value(0)), default=Value(1))
    return (
        Prescription.objects.filter(patient=patient_id)
        .select_related("template", "prescriber")  # each join costs PostgreSQL more to plan than to run
        .order_by(current_first, "-start_date", "-created_at")[:21]
    )


_CHART_PROGRAMS = PreparedQuery(_chart_programs, patient_id=int)


def chart_programs(*, patient) -> list[Prescription]:
    """The patient's current program first, then up to 20 others, newest first: one query, read on every chart."""
    return _CHART_PROGRAMS.run(patient_id=patient.pk)


def _rows_of_program(model, order: tuple[str, ...], related: tuple[str, ...] = ()) -> PreparedQuery:
    # Ordered within the one program: the models' own orderings start with the program, which joins it back in.
    def build(*, prescription_id: int) -> QuerySet:
        rows = model.objects.filter(prescription=prescription_id).order_by(*order)
        return rows.select_related(*related) if related else rows  # no names would follow every relation

    return PreparedQuery(build, prescription_id=int)


_WEEKS = _rows_of_program(PrescriptionWeek, ("week",))
_LOGS = _rows_of_program(SessionLog, ("session_date", "created_at"))  # who entered them is not shown
_DECISIONS = {
    False: _rows_of_program(ProgressionDecision, ("decided_on", "created_at")),
    True: _rows_of_program(ProgressionDecision, ("decided_on", "created_at"), ("decided_by",)),
}


@dataclass(frozen=True)
class ProgramRows:
    weeks: list[PrescriptionWeek]
    logs: list[SessionLog]  # oldest first
    decisions: list[ProgressionDecision]  # oldest first


def program_rows(prescription: Prescription, *, deciders: bool = False) -> ProgramRows:
    """A program's weeks, session logs and week decisions (with who decided, if ``deciders``): three queries."""
    parts = (
        _WEEKS.run(prescription_id=prescription.pk),
        _LOGS.run(prescription_id=prescription.pk),
        _DECISIONS[deciders].run(prescription_id=prescription.pk),
    )
    for rows in parts:
        for row in rows:
            row.prescription = prescription
    return ProgramRows(*parts)


def plan_of(programs: list[Prescription]) -> Prescription | None:
    """The plan a patient sees first: the program still running (newest first), else the latest one."""
    running = [rx for rx in programs if rx.status in CURRENT_STATUSES]
    return (running or programs or [None])[0]


_CURRENT = PreparedQuery(
    lambda patient_id: Prescription.objects.filter(patient=patient_id, status__in=CURRENT_STATUSES).order_by(
        "-start_date", "-created_at"
    )[:1],
    patient_id=int,
)


def current_prescription(*, patient: Patient) -> Prescription | None:
    """The patient's active or paused program (the database allows one at most)."""
    found = _CURRENT.run(patient_id=patient.pk)
    return found[0] if found else None


_ACTIVE_TEMPLATES = PreparedQuery(
    lambda condition_id: ProgramTemplate.objects.filter(condition=condition_id, is_active=True).order_by("name"),
    condition_id=int,
)


def active_templates(*, condition_id: int) -> list[ProgramTemplate]:
    """The templates a clinician may prescribe for the condition, by name."""
    return _ACTIVE_TEMPLATES.run(condition_id=condition_id)


# --- Dashboard ---

# (flag, weight, label): the weights order the dashboard, most urgent first.
FLAGS = (
    ("flag_fall", 100, "Fall or near fall reported"),
    ("flag_screening_void", 40, "Screening void"),
    ("flag_screening_expired", 40, "Screening expired"),
    ("flag_pain", 30, "Pain rising"),
    ("flag_review", 20, "Week review waiting"),
    ("flag_missed", 10, "Sessions missed"),
    ("flag_screening_due", 5, "Screening due"),
)


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


def _set_flags(row: DashboardFacts, today: date) -> None:
    has_rx = row.rx_id is not None
    active = row.rx_status == PrescriptionStatus.ACTIVE
    live_screening = has_rx and row.scr_voided_at is None and row.scr_valid_until is not None
    row.flags = {
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


def _facts_query(*, clinician_id: int, today: date, week_ago: date) -> QuerySet:
    """Every patient on the clinician's care team with the facts behind their flags (see ``dashboard_facts``)."""
    logs = SessionLog.objects.filter(prescription=OuterRef("rx_id"))
    latest_logs = logs.order_by("-session_date", "-created_at").annotate(peak=Greatest("pain_before", "pain_after"))
    screenings = BalanceScreening.objects.filter(patient=OuterRef("pk")).order_by("-screened_on", "-created_at")
    queryset = (
        Patient.objects.filter(care_team=clinician_id)
        .annotate(current=FilteredRelation("prescriptions", condition=Q(prescriptions__status__in=CURRENT_STATUSES)))
        .annotate(
            condition_name=F("condition__name"),
            rx_id=F("current__id"),
            rx_public_id=F("current__public_id"),
            rx_status=F("current__status"),
            rx_week=F("current__current_week"),
            rx_weeks=F("current__template__weeks"),
            rx_week_started_on=F("current__week_started_on"),
            rx_start_date=F("current__start_date"),
            rise_limit=F("current__baseline_pain") + F("current__template__advance_max_pain_rise"),
            scr_valid_until=Subquery(screenings.values("valid_until")[:1]),
            scr_voided_at=Subquery(screenings.values("voided_at")[:1]),
            scr_created_at=Subquery(screenings.values("created_at")[:1]),
            last_event_at=Subquery(
                logs.exclude(event=SessionEvent.NONE).order_by("-created_at").values("created_at")[:1]
            ),
            pain_last=Subquery(latest_logs.values("peak")[:1]),
            pain_previous=Subquery(latest_logs.values("peak")[1:2]),
            # Sessions walked in the 7 days before today (today's may still be ahead). Both counts are
            # COUNT(*), which the walked-sessions index answers without reading the logs themselves.
            done_7_days=Coalesce(
                Subquery(
                    logs.filter(session_date__gte=week_ago, session_date__lt=today, minutes__gt=0)
                    .order_by()
                    .values("prescription")
                    .annotate(n=Count("*"))
                    .values("n")[:1]
                ),
                0,
            ),
            done_sessions=Coalesce(
                Subquery(
                    logs.filter(minutes__gt=0).order_by().values("prescription").annotate(n=Count("*")).values("n")[:1]
                ),
                0,
            ),
            planned_per_week=Subquery(
                PrescriptionWeek.objects.filter(prescription=OuterRef("rx_id"), week=OuterRef("rx_week"))
                .order_by()
                .values("sessions")[:1]
            ),
        )
        .order_by("last_name", "first_name", "id")
    )
    return queryset.values_list(*(f.name for f in fields(DashboardFacts) if f.name != "flags"))


# Built and compiled once per connection: the ORM took longer to build this query than PostgreSQL to run it.
_FACTS = PreparedQuery(_facts_query, clinician_id=int, today=date, week_ago=date)


def dashboard_facts(*, user, today: date) -> list[DashboardFacts]:
    """The clinician's patients with their current program and flags, most urgent first.

    One query reads every patient's facts, name and condition included (each
    subquery once, no sort on computed columns); the flags and the urgency order
    are worked out here.
    """
    if not is_clinician(user):
        return []
    rows = [
        DashboardFacts(*values)
        for values in _FACTS.run(clinician_id=user.pk, today=today, week_ago=today - timedelta(days=7))
    ]
    for row in rows:
        _set_flags(row, today)
    # A stable sort keeps the database's name order within each level of urgency.
    rows.sort(key=lambda row: (-row.urgency, row.rx_id is None))
    return rows


@dataclass(frozen=True)
class ProgramProgress:
    adherence_pct: int | None
    done_sessions: int


def _caseload_stages(*, clinician_id: int) -> QuerySet:
    """The week decisions of the care team's current programs, each with the sessions its week planned."""
    planned = PrescriptionWeek.objects.filter(prescription=OuterRef("prescription"), week=OuterRef("week")).order_by()
    return (
        ProgressionDecision.objects.filter(
            prescription__patient__care_team=clinician_id, prescription__status__in=CURRENT_STATUSES
        )
        .annotate(sessions=Subquery(planned.values("sessions")[:1]))
        .order_by()
        .values_list("prescription_id", "sessions", "stage_started_on", "decided_on")
    )


_STAGES = PreparedQuery(_caseload_stages, clinician_id=int)


def progress_of(*, rows: list[DashboardFacts], today: date, clinician) -> dict[int, ProgramProgress]:
    """Adherence of the rows' programs from one query (the caseload's week decisions), whatever their size.

    The current week's plan and the sessions walked come with the rows' facts.
    """
    programs = [row for row in rows if row.rx_id is not None]
    if not programs:
        return {}
    wanted = {row.rx_id for row in programs}
    stages: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for rx, sessions, started, decided in _STAGES.run(clinician_id=clinician.pk):
        if rx in wanted:
            stages[rx].append((sessions or 0, (decided - started).days))
    result = {}
    for row in programs:
        days = max(0, (today - row.rx_week_started_on).days) if row.rx_status == PrescriptionStatus.ACTIVE else 0
        planned_now = [*stages[row.rx_id], (row.planned_per_week or 0, days)]
        result[row.rx_id] = ProgramProgress(
            adherence_pct=progression.adherence_pct(planned_now, row.done_sessions), done_sessions=row.done_sessions
        )
    return result
