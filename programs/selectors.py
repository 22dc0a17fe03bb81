"""Reads scoped to the user, and the clinician dashboard's flags.

Every list here is a fixed number of queries whatever the number of patients,
weeks or logs: the facts behind the flags come from one query for the whole
caseload (kept in the cache until a write they read changes the caseload's
state), and the adherence from one more (the caseload's week decisions).
"""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import get_language

from patients.models import BalanceScreening, Condition, Patient
from patients.portal import digest
from patients.selectors import scoped_lookup
from programs import flags, progression, schedule
from programs.fhir import Record
from programs.flags import DashboardFacts
from programs.models import (
    CURRENT_STATUSES,
    CalendarFeed,
    Prescription,
    PrescriptionStatus,
    PrescriptionWeek,
    ProgramTemplate,
    ProgressionDecision,
    ReminderSettings,
    SessionEvent,
    SessionLog,
)
from retrowalk import translated
from retrowalk.roles import is_clinician, is_patient

# The rows a program is read with wherever the views show it (its patient, template and prescriber).
_SCOPED_RELATED = ("patient", "patient__condition", "patient__user", "template", "prescriber")


def prescriptions_for(*, user) -> QuerySet[Prescription]:
    base = Prescription.objects.select_related(*_SCOPED_RELATED)
    if is_clinician(user):
        return base.filter(patient__care_team=user)
    if is_patient(user):
        return base.filter(patient__user=user)
    return Prescription.objects.none()


def own_programs(*, user) -> list[Prescription]:
    """A patient's own programs, newest first (none for anyone else)."""
    if not is_patient(user):
        return []
    return list(
        Prescription.objects.select_related(*_SCOPED_RELATED)
        .filter(patient__user=user)
        .order_by("-start_date", "-created_at")
    )


_SCOPES = {"clinician": "patient__care_team", "patient": "patient__user"}


def prescription_for(*, user, public_id: uuid.UUID | str, related: tuple[str, ...] | None = None) -> Prescription:
    """The program if the user may see it; otherwise 404. ``related`` narrows the rows read with it."""
    role, public_id = scoped_lookup(user, public_id)
    if role is None:
        raise Http404("No such program.")
    found = Prescription.objects.select_related(*(related or _SCOPED_RELATED)).filter(
        **{_SCOPES[role]: user}, public_id=public_id
    )
    try:
        return found.get()
    except Prescription.DoesNotExist:
        raise Http404("No such program.") from None


def chart_programs(*, patient) -> list[Prescription]:
    """The patient's current program first, then up to 20 others, newest first: one query, read on every chart."""
    current_first = Case(When(status__in=CURRENT_STATUSES, then=Value(0)), default=Value(1))
    return list(
        Prescription.objects.filter(patient=patient)
        .select_related("template", "prescriber")
        .order_by(current_first, "-start_date", "-created_at")[:21]
    )


class ProgramRows:
    """A program's session logs (one query, read at once: they tell the record's state), its weeks and its
    week decisions (a query each, read only when first used: on a page whose drawn parts are kept, never)."""

    def __init__(self, prescription: Prescription, *, deciders: bool = False):
        self.prescription = prescription
        self.deciders = deciders
        # Ordered within the one program: the models' own orderings start with the program, which joins it back in.
        self.logs: list[SessionLog] = self._own(  # oldest first
            SessionLog.objects.filter(prescription=prescription).order_by("session_date", "created_at")
        )

    @cached_property
    def weeks(self) -> list[PrescriptionWeek]:
        return self._own(PrescriptionWeek.objects.filter(prescription=self.prescription).order_by("week"))

    @cached_property
    def week_in_force(self) -> PrescriptionWeek | None:
        return next((w for w in self.weeks if w.week == self.prescription.current_week), None)

    @cached_property
    def decisions(self) -> list[ProgressionDecision]:  # oldest first
        decisions = ProgressionDecision.objects.filter(prescription=self.prescription)
        if self.deciders:
            decisions = decisions.select_related("decided_by")
        return self._own(decisions.order_by("decided_on", "created_at"))

    def awaiting_next_morning(self, today: date) -> list[SessionLog]:
        """The logs (newest first) whose next-morning pain is missing and can still be added."""
        return [
            log
            for log in reversed(self.logs)
            if log.pain_next_day is None and progression.takes_next_morning_pain(log.session_date, today)
        ]

    def _own(self, rows) -> list:
        rows = list(rows)
        for row in rows:
            row.prescription = self.prescription
        return rows

    def state(self) -> tuple:
        """What the program's record holds, to key what is drawn from it (``{% cache %}``).

        Weeks and decisions change only with the program's version (services._save); a log is only
        ever added, and its next-morning pain filled in once. So these name one set of rows.
        """
        logs = self.logs
        filled = sum(log.pain_next_day is not None for log in logs)
        return (self.prescription.pk, self.prescription.version, len(logs), logs[-1].pk if logs else None, filled)


def program_rows(prescription: Prescription, *, deciders: bool = False) -> ProgramRows:
    """A program's weeks, session logs and (when used) week decisions, with who decided if ``deciders``."""
    return ProgramRows(prescription, deciders=deciders)


def plan_of(programs: list[Prescription]) -> Prescription | None:
    """The plan a patient sees first: the program still running (newest first), else the latest one."""
    running = [rx for rx in programs if rx.status in CURRENT_STATUSES]
    return (running or programs or [None])[0]


def current_prescription(*, patient: Patient) -> Prescription | None:
    """The patient's active or paused program (the database allows one at most)."""
    return (
        Prescription.objects.filter(patient=patient, status__in=CURRENT_STATUSES)
        .order_by("-start_date", "-created_at")
        .first()
    )


def active_templates(*, condition_id: int) -> list[ProgramTemplate]:
    """The templates a clinician may prescribe for the condition, by name."""
    return list(ProgramTemplate.objects.filter(condition=condition_id, is_active=True).order_by("name"))


# --- Dashboard ---


def _facts_query(*, clinician_id: int, today: date, week_ago: date) -> QuerySet:
    """Every patient on the clinician's care team with the facts behind their flags (see ``dashboard_facts``)."""
    logs = SessionLog.objects.filter(prescription=OuterRef("rx_id"))
    latest_logs = logs.order_by("-session_date", "-created_at").annotate(peak=Greatest("pain_before", "pain_after"))
    screenings = BalanceScreening.objects.filter(patient=OuterRef("pk")).order_by("-screened_on", "-created_at")
    queryset = (
        Patient.objects.filter(care_team=clinician_id)
        .annotate(current=FilteredRelation("prescriptions", condition=Q(prescriptions__status__in=CURRENT_STATUSES)))
        .annotate(
            condition_name=translated.in_language("condition__name"),
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


def caseload_state(*, clinician_id: int) -> tuple:
    """A mark that changes with every write the caseload's dashboard facts are read from.

    Care-team membership (its rows: how many, and the newest); the patients' own edits (``updated_at``);
    their programs (every change saves the program, moving ``updated_at``; a program's weeks and templates
    change only with it); session logs (only ever added: the newest id); screenings (added, or voided once);
    and the conditions' names in every language. Four small queries instead of the facts' one large query.
    """
    members = Patient.care_team.through.objects.filter(user_id=clinician_id).aggregate(
        count=Count("pk"), newest=Max("pk"), edited=Max("patient__updated_at")
    )
    programs = Prescription.objects.filter(patient__care_team=clinician_id).aggregate(
        changed=Max("updated_at"), newest_log=Max("logs__id")
    )
    screenings = BalanceScreening.objects.filter(patient__care_team=clinician_id).aggregate(
        newest=Max("pk"), voided=Max("voided_at")
    )
    conditions = list(Condition.objects.order_by("pk").values_list("pk", *translated.in_each_language("name")))
    return (tuple(members.values()), tuple(programs.values()), tuple(screenings.values()), conditions)


def dashboard_facts(*, user, today: date) -> list[DashboardFacts]:
    """The clinician's patients with their current program and flags, most urgent first.

    One query reads every patient's facts, name and condition included (each
    subquery once, no sort on computed columns), kept in the cache for the day and
    the caseload's state (``caseload_state``); the flags and the urgency order are
    worked out here.
    """
    if not is_clinician(user):
        return []
    state = hashlib.md5(repr(caseload_state(clinician_id=user.pk)).encode(), usedforsecurity=False).hexdigest()
    # The condition's name is read in the reader's language.
    key = f"dashboard-facts:{user.pk}:{today.isoformat()}:{get_language()}:{state}"
    values = cache.get(key)
    if values is None:
        values = list(_facts_query(clinician_id=user.pk, today=today, week_ago=today - timedelta(days=7)))
        cache.set(key, values, 86400)
    rows = [DashboardFacts(*row) for row in values]
    for row in rows:
        row.flags = flags.flags_of(row, today=today)
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


def progress_of(*, rows: list[DashboardFacts], today: date, clinician) -> dict[int, ProgramProgress]:
    """Adherence of the rows' programs from one query (the caseload's week decisions), whatever their size.

    The current week's plan and the sessions walked come with the rows' facts.
    """
    programs = [row for row in rows if row.rx_id is not None]
    if not programs:
        return {}
    wanted = {row.rx_id for row in programs}
    stages: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for rx, sessions, started, decided in _caseload_stages(clinician_id=clinician.pk):
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


# --- The record for export (FHIR) ---


def fhir_records(patients: Sequence[Patient]) -> list:
    """The rows of each patient's record (``programs.fhir.Record``), in a fixed number of queries for a batch."""
    ids = [patient.pk for patient in patients]
    screenings = defaultdict(list)
    for screening in BalanceScreening.objects.filter(patient__in=ids).order_by("screened_on", "created_at"):
        screenings[screening.patient_id].append(screening)
    programs = defaultdict(list)
    by_id = {}
    for rx in (
        Prescription.objects.filter(patient__in=ids).select_related("template").order_by("start_date", "created_at")
    ):
        rx.week_list, rx.log_list = [], []
        programs[rx.patient_id].append(rx)
        by_id[rx.pk] = rx
    for week in PrescriptionWeek.objects.filter(prescription__in=by_id).order_by("prescription", "week"):
        by_id[week.prescription_id].week_list.append(week)
    for log in SessionLog.objects.filter(prescription__in=by_id).order_by("prescription", "session_date", "created_at"):
        by_id[log.prescription_id].log_list.append(log)
    return [Record(patient, screenings[patient.pk], programs[patient.pk]) for patient in patients]


def record_authors(records) -> list:
    """The clinicians who screened, prescribed or logged in these records (the patients themselves apart)."""
    return list(get_user_model().objects.filter(pk__in=record_author_ids(records)).order_by("pk"))


def record_author_ids(records) -> set[int]:
    ids = set()
    for record in records:
        ids.update(s.screened_by_id for s in record.screenings)
        for rx in record.programs:
            ids.add(rx.prescriber_id)
            ids.update(log.entered_by_id for log in rx.log_list)
        ids.discard(record.patient.user_id)
    return ids


# --- The calendar feed ---


def calendar_feed_program(token: str) -> Prescription | None:
    """The running program whose patient's calendar address has this token; None when there is no such
    address, the patient's portal access has ended or no program is running (the feed answers 404)."""
    feed = (
        CalendarFeed.objects.select_related("patient__user")
        .filter(token_digest=digest(token), patient__user__is_active=True)
        .first()
    )
    if feed is None:
        return None
    return (
        Prescription.objects.select_related("patient__user", "template")
        .filter(patient=feed.patient_id, status__in=CURRENT_STATUSES)
        .order_by("-start_date", "-created_at")
        .first()
    )


def has_calendar_feed(*, patient: Patient) -> bool:
    return CalendarFeed.objects.filter(patient=patient).exists()


# --- Reminders ---


def reminder_settings_of(*, user):
    return ReminderSettings.objects.filter(user=user).first()


def suggested_session_days(*, user) -> list[int]:
    """ISO weekdays for the sessions a week of the patient's running program, spread as the calendar feed
    spreads them from a Monday (three a week: Monday, Wednesday, Friday)."""
    rx = (
        Prescription.objects.filter(patient__user=user, status__in=CURRENT_STATUSES)
        .order_by("-start_date", "-created_at")
        .first()
    )
    week = rx.weeks.filter(week=rx.current_week).first() if rx else None
    return [offset + 1 for offset in schedule.SPREAD[week.sessions if week else 3]]
