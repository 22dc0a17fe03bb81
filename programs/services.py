"""Writes to programs. Each service is one transaction, validates fully, and is
attributed in the history tables to the user who made it."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone, translation
from django.utils.formats import date_format, localize
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patients.models import BalanceScreening, Patient
from patients.portal import digest
from patients.services import screening_void
from programs import gate, progression, template_rules
from programs.models import (
    CURRENT_STATUSES,
    CalendarFeed,
    Prescription,
    PrescriptionStatus,
    PrescriptionWeek,
    ProgramTemplate,
    ProgressionAction,
    ProgressionDecision,
    Protection,
    ReminderSettings,
    SessionEvent,
    SessionLog,
    SessionSetting,
    TemplateWeek,
    screening_facts,
)
from retrowalk import translated
from retrowalk.roles import is_clinician


class TemplateError(Exception):
    """A refused template change, with messages for the administrator."""


WEEK_FIELDS = tuple(f.name for f in fields(progression.TemplateWeekPlan))


@dataclass(frozen=True)
class WeekData(progression.TemplateWeekPlan):
    """A template week's values, as the admin and the seed data give them: the plan, with its note in
    every language when the admin edits them ({"en": ..., "es": ...}; else ``note`` is the active one's)."""

    notes: Mapping[str, str] = field(default_factory=dict)

    def values(self) -> dict:
        """The week row's values: each field, the note in every language given."""
        values = {name: getattr(self, name) for name in WEEK_FIELDS if name != "note"}
        if self.notes:
            values.update({translated.column("note", code): text or "" for code, text in self.notes.items()})
        else:
            values["note"] = self.note
        return values


def _check(template: ProgramTemplate, weeks: Sequence[WeekData]) -> None:
    problems = template_rules.check_template(template.caps, [w.as_plan() for w in weeks])
    if problems:
        raise ValidationError([ValidationError(p.message, code="template") for p in problems])


@transaction.atomic
def template_save(*, template: ProgramTemplate, weeks: Sequence[WeekData], by) -> ProgramTemplate:
    """Save a template with its weeks.

    A version that prescriptions already use never changes: the edit becomes a
    new version (same lineage, version + 1) that supersedes it, and the old one
    stops being offered. Translating it is the exception: words added or corrected
    in another language than English change the version in place (its history
    keeps them), so the patients already on it read them too. ``template`` carries
    the edited values (not yet saved); it is returned as the saved row, which may
    be the new version.
    """
    _check(template, weeks)
    if template.pk is not None:
        current = ProgramTemplate.objects.select_for_update().get(pk=template.pk)
        if not current.is_active:
            raise TemplateError(
                _(
                    "Version %(version)s has been superseded and is kept unchanged for the "
                    "prescriptions that use it. Edit the current version instead."
                )
                % {"version": current.version}
            )
        if current.is_in_use() and not _only_translated(current, template, weeks):
            current.is_active = False
            current._history_user = by
            current.save(update_fields=["is_active"])
            latest = ProgramTemplate.objects.filter(lineage=current.lineage).aggregate(v=Max("version"))["v"]
            template.pk = None
            template._state.adding = True
            template.version = latest + 1
            template.supersedes = current
            template.is_active = True
            template.lineage = current.lineage
    template.full_clean()
    template._history_user = by
    template.save()
    _replace_weeks(template, weeks, by=by)
    return template


def _only_translated(current: ProgramTemplate, edited: ProgramTemplate, weeks: Sequence[WeekData]) -> bool:
    """True when the edit changes nothing but words in languages other than English."""
    # The original text fields read the active language: their columns are the translations'.
    words = set(translated.translated_fields(ProgramTemplate)) | translated.translation_columns(ProgramTemplate)
    for model_field in ProgramTemplate._meta.concrete_fields:
        if model_field.attname not in words and getattr(current, model_field.attname) != getattr(
            edited, model_field.attname
        ):
            return False
    rows = {row.week: row for row in current.week_rows.all()}
    if set(rows) != {data.week for data in weeks}:
        return False
    notes = translated.translation_columns(TemplateWeek)
    return all(
        name in notes or not _differs(getattr(rows[data.week], name), value)
        for data in weeks
        for name, value in data.values().items()
    )


def _differs(stored, value) -> bool:
    # An empty translation is stored as NULL or "" alike.
    return (stored or "") != (value or "") if isinstance(value, str) else stored != value


def _replace_weeks(template: ProgramTemplate, weeks: Sequence[WeekData], *, by) -> None:
    existing = {row.week: row for row in template.week_rows.select_for_update()}
    wanted = {w.week for w in weeks}
    for number, row in existing.items():
        if number not in wanted:
            row._history_user = by
            row.delete()
    for data in weeks:
        row = existing.get(data.week) or TemplateWeek(template=template, week=data.week)
        changed = row.pk is None
        for name, value in data.values().items():
            if _differs(getattr(row, name), value):
                setattr(row, name, value)
                changed = True
        if changed:
            row.full_clean()
            row._history_user = by
            row.save()


class PrescriptionError(Exception):
    """A refused prescription change; ``messages`` say why and what to do next."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(" ".join(self.messages))


def _template_plans(template: ProgramTemplate) -> list[progression.TemplateWeekPlan]:
    rows = TemplateWeek.objects.filter(template=template).order_by("week").values_list(*WEEK_FIELDS)
    return [progression.TemplateWeekPlan(*row) for row in rows]


def prescription_plan(
    *, template: ProgramTemplate, starting_speed_kmh: Decimal, patient: Patient | None = None
) -> list[progression.WeekTarget]:
    """The weekly targets a template gives for this starting speed (the preview).

    The weeks' notes are the template's in the patient's language (else the active one): the clinician
    sees, and may edit, the words the patient will read, which the program keeps.
    """
    with _patients_words(patient):
        weeks = _template_plans(template)
    return progression.personalise(
        weeks=weeks, starting_speed_kmh=starting_speed_kmh, max_speed_kmh=template.max_speed_kmh
    )


def prescribing_blockers(*, patient: Patient, screening: BalanceScreening | None, today: date) -> list[str]:
    """Why no program can be prescribed for the patient today, whatever the prescription says.

    No screening, one that did not clear the patient, or one void or expired: only a new
    screening helps. (Protection the screening asks for is the prescription's to give.)
    """
    every_measure = gate.ProtectionFacts(protected=True, **dict.fromkeys(gate.PROTECTIVE_MEASURES, True))
    return gate.refusals(
        patient_id=patient.pk, screening=screening_facts(screening), protection=every_measure, today=today
    )


def _lock_gate(*, patient: Patient, screening: BalanceScreening) -> tuple[Patient, BalanceScreening]:
    """Lock the patient, then the screening (the order screening_void uses), and re-read both."""
    locked_patient = Patient.objects.select_for_update().select_related("condition").get(pk=patient.pk)
    locked_screening = BalanceScreening.objects.select_for_update().get(pk=screening.pk)
    return locked_patient, locked_screening


def plan_caps(template: ProgramTemplate) -> progression.PlanCaps:
    return progression.PlanCaps(
        weeks=template.weeks,
        max_speed_kmh=template.max_speed_kmh,
        max_incline_pct=template.max_incline_pct,
        max_session_minutes=template.max_session_minutes,
    )


def _check_targets(template: ProgramTemplate, targets: Sequence[progression.WeekTarget]) -> None:
    problems = progression.check_targets(plan_caps(template), targets)
    if problems:
        raise PrescriptionError(problems)


@transaction.atomic
def prescription_create(
    *,
    patient: Patient,
    template: ProgramTemplate,
    screening: BalanceScreening,
    by,
    start_date,
    starting_speed_kmh: Decimal,
    protection: gate.ProtectionFacts,
    baseline_pain: int = 0,
    weeks: Sequence[progression.WeekTarget] | None = None,
    status: str = PrescriptionStatus.ACTIVE,
) -> Prescription:
    """Prescribe a program, personalised into weekly targets, behind the safety gate.

    The patient and the screening rows are locked for the whole transaction, so
    a screening voided meanwhile is either seen here or waits until this commits.
    """
    if not on_care_team(patient_id=patient.pk, by=by):
        raise PrescriptionError(_("Only a clinician on the patient's care team can prescribe."))
    if status not in (PrescriptionStatus.DRAFT, PrescriptionStatus.ACTIVE):
        raise PrescriptionError(_("A new program starts as a draft or active."))
    patient, screening = _lock_gate(patient=patient, screening=screening)
    prescription = Prescription(
        patient=patient,
        template=template,
        screening=screening,
        prescriber=by,
        status=status,
        start_date=start_date,
        starting_speed_kmh=starting_speed_kmh,
        baseline_pain=baseline_pain,
        current_week=1,
        week_started_on=start_date,
        protection=Protection.PROTECTED if protection.protected else Protection.STANDARD,
        **{name: getattr(protection, name) for name in gate.PROTECTIVE_MEASURES},
    )
    refusals = prescription.gate_refusals()
    if refusals:
        raise PrescriptionError(refusals)
    if not template.is_active:
        raise PrescriptionError(
            _("%(template)s has been replaced by a newer version: choose the current template.")
            % {"template": template}
        )
    if template.condition_id != patient.condition_id:
        raise PrescriptionError(
            _("%(template)s is for %(condition)s, not %(patient_condition)s.")
            % {
                "template": template.name,
                "condition": template.condition.name,
                "patient_condition": patient.condition.name,
            }
        )
    if not (0 < starting_speed_kmh <= template.max_start_speed_kmh):
        raise PrescriptionError(
            _(
                "A starting speed of %(speed)s km/h is above the fastest start this template is written for "
                "(%(fastest)s km/h): choose a lower speed or another template."
            )
            % {"speed": localize(starting_speed_kmh), "fastest": localize(template.max_start_speed_kmh)}
        )
    if start_date < screening.screened_on:
        raise PrescriptionError(
            _("The program cannot start before the screening that authorises it (%(date)s).")
            % {"date": date_format(screening.screened_on, "DATE_FORMAT")}
        )
    if start_date > screening.valid_until:
        raise PrescriptionError(
            _("The screening is valid until %(date)s: start the program by then, or rescreen nearer the start.")
            % {"date": date_format(screening.valid_until, "DATE_FORMAT")}
        )
    if patient.prescriptions.filter(status__in=CURRENT_STATUSES).exists():
        raise PrescriptionError(
            _("%(patient)s already has an active or paused program: complete or stop it first.")
            % {"patient": patient.full_name}
        )
    targets = (
        list(weeks)
        if weeks is not None
        else prescription_plan(template=template, starting_speed_kmh=starting_speed_kmh, patient=patient)
    )
    _check_targets(template, targets)
    prescription.full_clean()
    prescription._history_user = by
    prescription.save()
    for target in targets:
        row = PrescriptionWeek(prescription=prescription, **target.__dict__)
        row.full_clean()
        row._history_user = by
        row.save()
    return prescription


@transaction.atomic
def prescription_activate(*, prescription: Prescription, by, expected_version: int) -> Prescription:
    """Turn a draft into the active program; the gate applies again at that moment."""
    current = Prescription.objects.select_for_update().get(pk=prescription.pk)
    if current.version != expected_version:
        raise PrescriptionError(_("Someone else changed this program meanwhile: reload the page and try again."))
    if current.status != PrescriptionStatus.DRAFT:
        raise PrescriptionError(_("Only a draft can be activated."))
    patient, screening = _lock_gate(patient=current.patient, screening=current.screening)
    current.screening = screening
    refusals = current.gate_refusals(step=gate.RESUMING)
    if refusals:
        raise PrescriptionError(refusals)
    if patient.prescriptions.filter(status__in=CURRENT_STATUSES).exclude(pk=current.pk).exists():
        raise PrescriptionError(
            _("%(patient)s already has an active or paused program.") % {"patient": patient.full_name}
        )
    current.status = PrescriptionStatus.ACTIVE
    current.version += 1
    current.full_clean()
    current._history_user = by
    current.save()
    return current


# --- Changing a program: every change is version-checked and locks patient, then program ---

STALE = gettext_lazy(
    "Someone else changed this program meanwhile (version %(version)s): nothing was saved. "
    "Reload the page to see their change."
)
STALE_BY = gettext_lazy(
    "Someone else changed this program meanwhile (by %(name)s, version %(version)s): nothing was saved. "
    "Reload the page to see their change."
)


def _on_care_team(by) -> Exists:
    """Whether ``by`` is on the care team of the patient row this annotates."""
    return Exists(Patient.care_team.through.objects.filter(patient=OuterRef("pk"), user=by.pk))


def on_care_team(*, patient_id: int, by) -> bool:
    """Whether ``by`` is a clinician on the patient's care team."""
    return is_clinician(by) and Patient.objects.filter(_on_care_team(by), pk=patient_id).exists()


def _lock_program(*, prescription: Prescription, expected_version: int | None, by) -> Prescription:
    """Lock the patient, then the program (the gate's order), and refuse a stale edit.

    The patient's row also says whether ``by`` is on the care team (``current.by_on_care_team``),
    read under the same lock.
    """
    # The patient's row is only locked here (the program's query below reads it), so only the
    # care-team answer comes back. Both queries always run: they take the locks.
    locked = Patient.objects.select_for_update(of=("self",)).filter(pk=prescription.patient_id)
    answer = any(locked.annotate(by_on_team=_on_care_team(by)).values_list("by_on_team", flat=True))
    current = (
        Prescription.objects.select_for_update(of=("self",))
        .select_related("template", "patient", "patient__condition")
        .get(pk=prescription.pk)
    )
    if expected_version is not None and current.version != expected_version:
        last = current.history.select_related("history_user").first()
        if last is not None and last.history_user is not None:
            name = last.history_user.get_full_name() or last.history_user.username
            raise PrescriptionError(STALE_BY % {"name": name, "version": current.version})
        raise PrescriptionError(STALE % {"version": current.version})
    current.by_on_care_team = is_clinician(by) and answer
    return current


def _require_care_team(current: Prescription, by) -> None:
    """``current`` as ``_lock_program`` read it for ``by``."""
    if not current.by_on_care_team:
        raise PrescriptionError(_("Only a clinician on the patient's care team can change this program."))


def _save(prescription: Prescription, by) -> Prescription:
    prescription.version += 1
    prescription.full_clean()
    prescription._history_user = by
    prescription.save()
    return prescription


ADJUSTABLE_FIELDS = ("sessions", "bouts", "bout_minutes", "rest_minutes", "speed_kmh", "incline_pct", "support", "note")


@transaction.atomic
def prescription_adjust(
    *, prescription: Prescription, by, expected_version: int, weeks: Sequence[progression.WeekTarget]
) -> Prescription:
    """Change weekly targets of a current program, within the template's caps."""
    current = _lock_program(prescription=prescription, expected_version=expected_version, by=by)
    _require_care_team(current, by)
    if current.status not in (PrescriptionStatus.DRAFT, *CURRENT_STATUSES):
        raise PrescriptionError(
            _("This program is %(status)s: it can no longer change.") % {"status": current.get_status_display().lower()}
        )
    targets = sorted(weeks, key=lambda t: t.week)
    _check_targets(current.template, targets)
    rows = {row.week: row for row in current.weeks.select_for_update()}
    changed = 0
    for target in targets:
        row = rows[target.week]
        values = {name: getattr(target, name) for name in ADJUSTABLE_FIELDS}
        if any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.full_clean()
            row._history_user = by
            row.save()
            changed += 1
    if changed:
        _save(current, by)
    return current


@transaction.atomic
def prescription_pause(*, prescription: Prescription, by, expected_version: int | None, reason: str) -> Prescription:
    """Pause an active program; no session can be logged until it is resumed."""
    current = _lock_program(prescription=prescription, expected_version=expected_version, by=by)
    _require_care_team(current, by)
    if current.status != PrescriptionStatus.ACTIVE:
        raise PrescriptionError(
            _("Only an active program can be paused; this one is %(status)s.")
            % {"status": current.get_status_display().lower()}
        )
    current.status = PrescriptionStatus.PAUSED
    with _patients_words(current.patient):
        current.pause_reason = (reason.strip() or _("Paused by the clinician."))[:300]
    return _save(current, by)


@transaction.atomic
def prescription_resume(
    *, prescription: Prescription, by, expected_version: int, protection: gate.ProtectionFacts | None = None
) -> Prescription:
    """Resume a paused program under the patient's latest screening; the gate applies again.

    The week in force starts afresh today. ``protection`` may raise (or lower) the
    protective measures to what the latest screening requires.
    """
    current = _lock_program(prescription=prescription, expected_version=expected_version, by=by)
    _require_care_team(current, by)
    if current.status != PrescriptionStatus.PAUSED:
        raise PrescriptionError(_("Only a paused program can be resumed."))
    latest = current.patient.screenings.order_by("-screened_on", "-created_at").first()
    if latest is None:
        raise PrescriptionError(current.gate_refusals(step=gate.RESUMING))
    latest = BalanceScreening.objects.select_for_update().get(pk=latest.pk)
    current.screening = latest
    if protection is not None:
        current.protection = Protection.PROTECTED if protection.protected else Protection.STANDARD
        for name in gate.PROTECTIVE_MEASURES:
            setattr(current, name, getattr(protection, name))
    refusals = current.gate_refusals(step=gate.RESUMING)
    if refusals:
        raise PrescriptionError(refusals)
    current.status = PrescriptionStatus.ACTIVE
    current.pause_reason = ""
    current.week_started_on = max(timezone.localdate(), current.start_date)
    return _save(current, by)


@transaction.atomic
def prescription_stop(*, prescription: Prescription, by, expected_version: int, reason: str) -> Prescription:
    """End a program early, with the reason."""
    current = _lock_program(prescription=prescription, expected_version=expected_version, by=by)
    _require_care_team(current, by)
    if current.status not in (PrescriptionStatus.DRAFT, *CURRENT_STATUSES):
        raise PrescriptionError(
            _("This program is already %(status)s.") % {"status": current.get_status_display().lower()}
        )
    if not reason.strip():
        raise PrescriptionError(_("Say why the program is stopped."))
    current.status = PrescriptionStatus.STOPPED
    current.stop_reason = reason.strip()[:300]
    current.ended_on = timezone.localdate()
    return _save(current, by)


@transaction.atomic
def prescription_closing_note(*, prescription: Prescription, by, expected_version: int, note: str) -> Prescription:
    """Write (or clear) the clinician's closing note for the program's summary, at any status."""
    current = _lock_program(prescription=prescription, expected_version=expected_version, by=by)
    _require_care_team(current, by)
    current.closing_note = note.strip()[:2000]
    return _save(current, by)


@transaction.atomic
def prescription_complete(*, prescription: Prescription, by, expected_version: int) -> Prescription:
    """Mark a current program as completed."""
    current = _lock_program(prescription=prescription, expected_version=expected_version, by=by)
    _require_care_team(current, by)
    if current.status not in CURRENT_STATUSES:
        raise PrescriptionError(
            _("This program is %(status)s: it cannot be completed.") % {"status": current.get_status_display().lower()}
        )
    current.status = PrescriptionStatus.COMPLETED
    current.ended_on = timezone.localdate()
    return _save(current, by)


# --- Week-end reviews ---


@dataclass(frozen=True)
class Review:
    """The engine's suggestion for the week in force, with what it was based on."""

    due: bool
    stage_days: int
    planned_sessions: int
    done_sessions: int
    decision: progression.Decision


def review_of(*, prescription: Prescription, logs: Sequence[SessionLog], weeks: Sequence[PrescriptionWeek], today):
    """The suggestion for the week in force from its logs (pure arithmetic over loaded rows).

    ``logs`` are the program's logs (any order); only those since the week took
    effect count. Planned sessions grow by the week's sessions for each full 7
    days the week has been in force (a late review counts every week it ran).
    """
    template = prescription.template
    by_week = {w.week: w for w in weeks}
    week = by_week.get(prescription.current_week)
    stage_days = max(0, (today - prescription.week_started_on).days)
    planned = (week.sessions if week else 0) * max(1, stage_days // 7)
    stage = [log for log in logs if log.session_date >= prescription.week_started_on]
    following = by_week.get(prescription.current_week + 1)
    decision = progression.decide(
        progression.WeekReview(
            week=prescription.current_week,
            weeks=len(by_week),
            planned_sessions=planned,
            baseline_pain=prescription.baseline_pain,
            sessions=[
                progression.SessionFacts(
                    session_date=log.session_date,
                    minutes=log.minutes,
                    pain_before=log.pain_before,
                    pain_after=log.pain_after,
                    effort=log.effort,
                    event=log.event,
                    pain_next_day=log.pain_next_day,
                )
                for log in stage
            ],
            rules=progression.AdvanceRules(
                max_pain=template.advance_max_pain,
                max_pain_rise=template.advance_max_pain_rise,
                max_effort=template.advance_max_rpe,
                min_adherence_pct=template.advance_min_adherence_pct,
            ),
            next_speed_kmh=following.speed_kmh if following else None,
            max_speed_kmh=template.max_speed_kmh,
        )
    )
    return Review(
        due=prescription.status == PrescriptionStatus.ACTIVE and stage_days >= 7,
        stage_days=stage_days,
        planned_sessions=planned,
        done_sessions=sum(1 for log in stage if log.minutes > 0),
        decision=decision,
    )


@transaction.atomic
def progression_apply(
    *, prescription: Prescription, by, expected_version: int, action: str, note: str = ""
) -> ProgressionDecision:
    """Apply the week's decision, or override it with a note. The next week takes effect today."""
    current = _lock_program(prescription=prescription, expected_version=expected_version, by=by)
    _require_care_team(current, by)
    if current.status != PrescriptionStatus.ACTIVE:
        raise PrescriptionError(_("Only an active program is reviewed; resume it first."))
    today = timezone.localdate()
    weeks = list(current.weeks.all())
    logs = list(current.logs.all())
    review = review_of(prescription=current, logs=logs, weeks=weeks, today=today)
    suggested = review.decision
    last = len(weeks)
    note = note.strip()
    if action != suggested.action and not note:
        raise PrescriptionError(
            _("The suggestion was to %(action)s: say why you chose otherwise in the note.")
            % {"action": str(ProgressionAction(suggested.action).label).lower()}
        )
    week = current.current_week
    if action == ProgressionAction.ADVANCE:
        if week >= last:
            raise PrescriptionError(
                _("Week %(week)s is the last week: complete the program instead of advancing.") % {"week": week}
            )
        next_week = week + 1
    elif action == ProgressionAction.STEP_BACK:
        if week == 1:
            raise PrescriptionError(_("Week 1 is the first week: repeat it instead of stepping back."))
        next_week = week - 1
    elif action in (ProgressionAction.REPEAT, ProgressionAction.PAUSE, ProgressionAction.COMPLETE):
        next_week = week
    else:
        raise PrescriptionError(_("Choose advance, repeat, step back, pause or complete."))
    decision = ProgressionDecision(
        prescription=current,
        week=week,
        stage_started_on=current.week_started_on,
        decided_on=today,
        suggested=suggested.action,
        suggested_reasons=list(suggested.reasons),
        action=action,
        next_week=next_week,
        note=note[:500],
        decided_by=by,
    )
    decision.full_clean()
    decision._history_user = by
    decision.save()
    if action == ProgressionAction.PAUSE:
        current.status = PrescriptionStatus.PAUSED
        with _patients_words(current.patient):
            reasons = review_of(prescription=current, logs=logs, weeks=weeks, today=today).decision.reasons
            why = note or "; ".join(map(str, reasons))
            current.pause_reason = (_("Week %(week)s review: %(why)s") % {"week": week, "why": why})[:300]
    elif action == ProgressionAction.COMPLETE:
        current.status = PrescriptionStatus.COMPLETED
        current.ended_on = today
    else:
        current.current_week = next_week
        current.week_started_on = max(today, current.start_date)
    _save(current, by)
    return decision


# --- Session logs ---


@dataclass(frozen=True)
class SessionEntry:
    session_date: date
    minutes: int
    speed_kmh: Decimal
    incline_pct: Decimal
    pain_before: int
    pain_after: int
    effort: int
    event: str
    rails: str
    note: str = ""
    pain_next_day: int | None = None
    stopped_early: bool = False


def _patients_words(patient: Patient | None):
    """Text the program keeps for its patient to read (its weeks' notes, why it is paused) is written in the
    patient's language: their portal login's, else the clinician's (the active one)."""
    return translation.override((patient and patient.language) or translation.get_language())


def session_log_refusal(prescription: Prescription) -> str | None:
    """Why no session can be logged on this program now; None when one can."""
    if prescription.status == PrescriptionStatus.ACTIVE:
        return None
    if prescription.status == PrescriptionStatus.PAUSED:
        return _(
            "No session can be logged on this program: it is paused (%(reason)s). "
            "Sessions can be logged again once the therapist resumes it."
        ) % {"reason": prescription.pause_reason or _("by the therapist")}
    if prescription.status == PrescriptionStatus.DRAFT:
        return _("No session can be logged on this program: it has not started yet.")
    return _("No session can be logged on this program: it is %(status)s.") % {
        "status": prescription.get_status_display().lower()
    }


def _week_in_force(prescription: Prescription, on: date) -> int:
    decisions = []
    if on < prescription.week_started_on:
        decisions = list(
            prescription.decisions.order_by("decided_on", "created_at").values_list("decided_on", "next_week")
        )
    return progression.week_in_force(
        on, current_week=prescription.current_week, week_started_on=prescription.week_started_on, decisions=decisions
    )


def session_log_create(
    *, prescription: Prescription, by, entry: SessionEntry, submission: uuid.UUID | None = None
) -> SessionLog:
    """Log a walked session. A fall or near fall pauses the program and voids the screening.

    The clinician's log is a clinic session; the patient's own is a home session. ``submission`` names one
    filling-in of the form (the log's public id): sent again — the answer was lost on the way, a server
    died after saving — it finds the log already saved and saves nothing twice.
    """
    return session_log_submit(prescription=prescription, by=by, entry=entry, submission=submission)[0]


@transaction.atomic
def session_log_submit(
    *, prescription: Prescription, by, entry: SessionEntry, submission: uuid.UUID | None
) -> tuple[SessionLog, bool]:
    """``session_log_create``, saying whether this call saved the log (True) or found it already saved (False).

    A log kept on the patient's device while offline carries the id made there: however often it is sent,
    the first arrival saves it and every later one finds it (the unique public id), even after the program
    was paused by that very log.
    """
    current = _lock_program(prescription=prescription, expected_version=None, by=by)
    if submission is not None:
        saved = SessionLog.objects.filter(public_id=submission).first()
        if saved is not None:
            if saved.prescription_id != current.pk or saved.entered_by_id != by.pk:
                raise PrescriptionError(_("This form was already used: open the session form again."))
            return saved, False
    patient = current.patient
    if current.by_on_care_team:
        setting = SessionSetting.CLINIC
    elif patient.user_id is not None and patient.user_id == by.pk:
        setting = SessionSetting.HOME
    else:
        raise PrescriptionError(_("Only the patient or a clinician on the care team can log a session."))
    refusal = session_log_refusal(current)
    if refusal:
        raise PrescriptionError(refusal)
    today = timezone.localdate()
    problems = {}
    if entry.session_date < current.start_date:
        problems["session_date"] = _("The program started on %(date)s: choose that date or later.") % {
            "date": date_format(current.start_date, "DATE_FORMAT")
        }
    elif entry.session_date > today:
        problems["session_date"] = _("A session cannot be logged ahead: choose today or an earlier date.")
    if entry.speed_kmh > current.template.max_speed_kmh:
        problems["speed_kmh"] = _("%(speed)s km/h is above this program's cap of %(cap)s km/h.") % {
            "speed": localize(entry.speed_kmh),
            "cap": localize(current.template.max_speed_kmh),
        }
    if problems:
        raise ValidationError(problems)
    log = SessionLog(
        prescription=current,
        week=_week_in_force(current, entry.session_date),
        setting=setting,
        entered_by=by,
        **({"public_id": submission} if submission is not None else {}),
        **{f.name: getattr(entry, f.name) for f in fields(SessionEntry)},
    )
    # The program is locked and the author is the signed-in user: their rows exist, and the public id is
    # a fresh uuid4 or the submission's, found unused above under the program's lock (the database's unique
    # index still guards it).
    log.full_clean(exclude={"prescription", "entered_by"}, validate_unique=False, validate_constraints=False)
    log._history_user = by
    log.save()
    if log.is_fall_event:
        when = _("%(event)s reported for %(date)s (%(setting)s)") % {
            "event": SessionEvent(log.event).short_label,
            "date": date_format(log.session_date, "DATE_FORMAT"),
            "setting": setting.label,
        }
        current.status = PrescriptionStatus.PAUSED
        with _patients_words(current.patient):
            current.pause_reason = (
                _("%(event)s: rescreen before resuming.")
                % {
                    "event": _("%(event)s reported for %(date)s (%(setting)s)")
                    % {
                        "event": SessionEvent(log.event).short_label,
                        "date": date_format(log.session_date, "DATE_FORMAT"),
                        "setting": setting.label,
                    }
                }
            )[:300]
        _save(current, by)
        for screening in patient.screenings.filter(voided_at__isnull=True):
            screening_void(screening=screening, by=by, reason=when)
    return log, True


@transaction.atomic
def session_log_next_day_pain(*, log: SessionLog, by, pain: int) -> SessionLog:
    """Add the pain felt the morning after a session (once; the progression rules read it)."""
    locked = SessionLog.objects.select_for_update().select_related("prescription__patient").get(pk=log.pk)
    patient = locked.prescription.patient
    if not (patient.user_id == by.pk or on_care_team(patient_id=patient.pk, by=by)):
        raise PrescriptionError(_("Only the patient or a clinician on the care team can add to this log."))
    if locked.pain_next_day is not None:
        raise PrescriptionError(_("The next-morning pain of this session is already recorded."))
    if not progression.takes_next_morning_pain(locked.session_date, timezone.localdate()):
        raise PrescriptionError(
            _("The next-morning pain can be added up to %(days)d days after the session.")
            % {"days": progression.NEXT_MORNING_DAYS}
        )
    locked.pain_next_day = pain
    locked.full_clean()
    locked._history_user = by
    locked.save(update_fields=["pain_next_day"])
    return locked


# --- The calendar feed ---

FEED_TOKEN_BYTES = 32  # 256 bits: the address is the only key to the feed


@transaction.atomic
def calendar_feed_renew(*, patient: Patient) -> str:
    """Make the patient's calendar address, or a new one in place of the old (which stops at once).
    The address's token is returned to be shown once; only its digest is kept."""
    token = secrets.token_urlsafe(FEED_TOKEN_BYTES)
    CalendarFeed.objects.update_or_create(patient=patient, defaults={"token_digest": digest(token)})
    return token


def calendar_feed_stop(*, patient: Patient) -> bool:
    """Stop the patient's calendar address; False when there was none."""
    deleted, _ = CalendarFeed.objects.filter(patient=patient).delete()
    return bool(deleted)


# --- Reminders ---


def reminder_settings_update(*, user, data: Mapping) -> ReminderSettings:
    """Save the user's reminder and digest choices (only those given)."""
    setting, _created = ReminderSettings.objects.get_or_create(user=user)
    for name in ("session_reminders", "session_time", "digest", "digest_time"):
        if name in data:
            setattr(setting, name, data[name])
    if "session_days" in data:
        setting.session_days = "".join(str(day) for day in sorted(set(data["session_days"])))
    setting.full_clean()
    setting._history_user = user
    setting.save()
    return setting
