"""Writes to programs. Each service is one transaction, validates fully, and is
attributed in the history tables to the user who made it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from patients.models import BalanceScreening, Patient
from programs import gate, progression, template_rules
from programs.models import (
    CURRENT_STATUSES,
    Prescription,
    PrescriptionStatus,
    PrescriptionWeek,
    ProgramTemplate,
    Protection,
    TemplateWeek,
)
from retrowalk.roles import is_clinician


class TemplateError(Exception):
    """A refused template change, with messages for the administrator."""


# A template week's values, as the admin and the seed data give them.
WeekData = progression.TemplateWeekPlan
WEEK_FIELDS = tuple(f.name for f in fields(WeekData))


def _check(template: ProgramTemplate, weeks: Sequence[WeekData]) -> None:
    problems = template_rules.check_template(template.caps, [w.as_plan() for w in weeks])
    if problems:
        raise ValidationError([ValidationError(p.message, code="template") for p in problems])


@transaction.atomic
def template_save(*, template: ProgramTemplate, weeks: Sequence[WeekData], by) -> ProgramTemplate:
    """Save a template with its weeks.

    A version that prescriptions already use never changes: the edit becomes a
    new version (same lineage, version + 1) that supersedes it, and the old one
    stops being offered. ``template`` carries the edited values (not yet saved);
    it is returned as the saved row, which may be the new version.
    """
    _check(template, weeks)
    if template.pk is not None:
        current = ProgramTemplate.objects.select_for_update().get(pk=template.pk)
        if not current.is_active:
            raise TemplateError(
                f"Version {current.version} has been superseded and is kept unchanged for the "
                "prescriptions that use it. Edit the current version instead."
            )
        if current.is_in_use():
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
        for name in WEEK_FIELDS:
            if getattr(row, name) != getattr(data, name):
                setattr(row, name, getattr(data, name))
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
    return [
        WeekData(**{name: getattr(row, name) for name in WEEK_FIELDS}) for row in template.week_rows.order_by("week")
    ]


def prescription_plan(*, template: ProgramTemplate, starting_speed_kmh: Decimal) -> list[progression.WeekTarget]:
    """The weekly targets a template gives for this starting speed (the preview)."""
    return progression.personalise(
        weeks=_template_plans(template), starting_speed_kmh=starting_speed_kmh, max_speed_kmh=template.max_speed_kmh
    )


def _lock_gate(*, patient: Patient, screening: BalanceScreening) -> tuple[Patient, BalanceScreening]:
    """Lock the patient, then the screening (the order screening_void uses), and re-read both."""
    locked_patient = Patient.objects.select_for_update().select_related("condition").get(pk=patient.pk)
    locked_screening = BalanceScreening.objects.select_for_update().get(pk=screening.pk)
    return locked_patient, locked_screening


def _check_targets(template: ProgramTemplate, targets: Sequence[progression.WeekTarget]) -> None:
    problems = []
    if [t.week for t in targets] != list(range(1, template.weeks + 1)):
        problems.append(f"The program must have weeks 1 to {template.weeks}.")
    for t in targets:
        if not (0 < t.speed_kmh <= template.max_speed_kmh):
            problems.append(
                f"Week {t.week}: {t.speed_kmh} km/h is above the template's cap of {template.max_speed_kmh}."
            )
        if not (0 <= t.incline_pct <= template.max_incline_pct):
            problems.append(
                f"Week {t.week}: incline {t.incline_pct} % is above the cap of {template.max_incline_pct} %."
            )
        if not (1 <= t.session_minutes <= template.max_session_minutes):
            problems.append(
                f"Week {t.week}: {t.session_minutes} minutes is outside 1 to "
                f"{template.max_session_minutes} (the session cap)."
            )
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
    weeks: Sequence[progression.WeekTarget] | None = None,
    status: str = PrescriptionStatus.ACTIVE,
) -> Prescription:
    """Prescribe a program, personalised into weekly targets, behind the safety gate.

    The patient and the screening rows are locked for the whole transaction, so
    a screening voided meanwhile is either seen here or waits until this commits.
    """
    if not is_clinician(by) or not patient.care_team.filter(pk=by.pk).exists():
        raise PrescriptionError("Only a clinician on the patient's care team can prescribe.")
    if status not in (PrescriptionStatus.DRAFT, PrescriptionStatus.ACTIVE):
        raise PrescriptionError("A new program starts as a draft or active.")
    patient, screening = _lock_gate(patient=patient, screening=screening)
    prescription = Prescription(
        patient=patient,
        template=template,
        screening=screening,
        prescriber=by,
        status=status,
        start_date=start_date,
        starting_speed_kmh=starting_speed_kmh,
        protection=Protection.PROTECTED if protection.protected else Protection.STANDARD,
        **{name: getattr(protection, name) for name in gate.PROTECTIVE_MEASURES},
    )
    refusals = prescription.gate_refusals()
    if refusals:
        raise PrescriptionError(refusals)
    if not template.is_active:
        raise PrescriptionError(f"{template} has been replaced by a newer version: choose the current template.")
    if template.condition_id != patient.condition_id:
        raise PrescriptionError(f"{template.name} is for {template.condition.name}, not {patient.condition.name}.")
    if not (0 < starting_speed_kmh <= template.max_start_speed_kmh):
        raise PrescriptionError(
            f"A starting speed of {starting_speed_kmh} km/h is above the fastest start this template is written for "
            f"({template.max_start_speed_kmh} km/h): choose a lower speed or another template."
        )
    if patient.prescriptions.filter(status__in=CURRENT_STATUSES).exists():
        raise PrescriptionError(
            f"{patient.full_name} already has an active or paused program: complete or stop it first."
        )
    targets = (
        list(weeks)
        if weeks is not None
        else prescription_plan(template=template, starting_speed_kmh=starting_speed_kmh)
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
        raise PrescriptionError("Someone else changed this program meanwhile: reload the page and try again.")
    if current.status != PrescriptionStatus.DRAFT:
        raise PrescriptionError("Only a draft can be activated.")
    patient, screening = _lock_gate(patient=current.patient, screening=current.screening)
    current.screening = screening
    refusals = current.gate_refusals()
    if refusals:
        raise PrescriptionError(refusals)
    if patient.prescriptions.filter(status__in=CURRENT_STATUSES).exclude(pk=current.pk).exists():
        raise PrescriptionError(f"{patient.full_name} already has an active or paused program.")
    current.status = PrescriptionStatus.ACTIVE
    current.version += 1
    current.full_clean()
    current._history_user = by
    current.save()
    return current
