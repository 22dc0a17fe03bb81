"""Writes to patients. Each runs in one transaction, validates fully, and is
attributed in the history tables to the user who made it."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patients import screening as rules
from patients.models import BalanceScreening, Patient, ScreeningPolicy
from retrowalk.roles import is_clinician


class PatientError(Exception):
    """A refused change to a patient, with a message for the clinician."""


def _save(patient: Patient, *, by) -> None:
    patient.clear_details_that_do_not_apply()
    patient.full_clean()
    patient._history_user = by
    patient.save()


@transaction.atomic
def patient_create(*, by, data: dict[str, Any]) -> Patient:
    """Add a patient; the clinician who adds them joins the care team."""
    if not is_clinician(by):
        raise PatientError(_("Only clinicians can add patients."))
    patient = Patient(**data)
    _save(patient, by=by)
    patient.care_team.add(by)
    return patient


@transaction.atomic
def patient_update(*, patient: Patient, by, data: dict[str, Any]) -> Patient:
    """Change a patient's details (the caller has already checked the care team)."""
    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    for name, value in data.items():
        setattr(locked, name, value)
    _save(locked, by=by)
    return locked


@transaction.atomic
def care_team_add(*, patient: Patient, by, clinician) -> None:
    """Add a colleague to the patient's care team."""
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    if not patient.care_team.filter(pk=by.pk).exists():
        raise PatientError(_("Only a member of the care team can add colleagues to it."))
    if not is_clinician(clinician) or not clinician.is_active:
        raise PatientError(_("Only active clinicians can join a care team."))
    if patient.care_team.filter(pk=clinician.pk).exists():
        raise PatientError(
            _("%(name)s is already on the care team.") % {"name": clinician.get_full_name() or clinician.username}
        )
    patient._history_user = by
    patient.care_team.add(clinician)


class ScreeningError(Exception):
    """A screening that cannot be recorded or changed, with a message for the clinician."""


def screening_input(*, patient: Patient, values: dict[str, Any]):
    """The rules module's input for these values (as on BalanceScreening) and this patient."""
    # Every result the rules read, by the same names as on BalanceScreening.
    context = {"condition_code", "screened_on", "surgery_date", "hazards"}
    instrument_fields = [f.name for f in dataclass_fields(rules.ScreeningInput) if f.name not in context]
    return rules.ScreeningInput(
        condition_code=patient.condition.code,
        screened_on=values["screened_on"],
        surgery_date=patient.surgery_date,
        hazards=frozenset(key for key in rules.HAZARD_KEYS if values.get(key)),
        **{name: values[name] for name in instrument_fields if values.get(name) is not None},
    )


def screening_preview(*, patient: Patient, values: dict[str, Any]):
    """The outcome these values would give, without saving anything."""
    policy = _policy(patient)
    inp = screening_input(patient=patient, values=values)
    return rules.evaluate(inp, policy.cutoffs()), rules.missing_instrument(inp, policy.cutoffs())


def _policy(patient: Patient):
    try:
        return ScreeningPolicy.objects.select_related("condition").get(condition_id=patient.condition_id)
    except ScreeningPolicy.DoesNotExist:
        raise ScreeningError(
            _("%(condition)s has no screening policy yet: ask the administrator to add its cutoffs.")
            % {"condition": patient.condition.name}
        ) from None


@transaction.atomic
def screening_record(*, patient: Patient, by, values: dict[str, Any]):
    """Record a screening; its outcome and reasons come from patients.screening with the
    condition's current policy, and it authorises prescriptions until ``valid_until``."""
    if not is_clinician(by):
        raise ScreeningError(_("Only clinicians can record screenings."))
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    policy = _policy(patient)
    cutoffs = policy.cutoffs()
    inp = screening_input(patient=patient, values=values)
    missing = rules.missing_instrument(inp, cutoffs)
    if missing:
        raise ScreeningError(missing)
    if cutoffs.population != "paediatric" and (inp.bp_systolic is None or inp.bp_diastolic is None):
        raise ScreeningError(
            _("Record the resting blood pressure: above %(systolic)s/%(diastolic)s is a hard stop.")
            % {"systolic": cutoffs.bp_systolic_max, "diastolic": cutoffs.bp_diastolic_max}
        )
    outcome = rules.evaluate(inp, cutoffs)
    # Hazard fields that do not apply to this condition are never kept as "present".
    applicable = {item.key for item in rules.hard_stop_items(patient.condition.code)}
    fields = {k: v for k, v in values.items() if k not in rules.HAZARD_KEYS or k in applicable}
    screening = BalanceScreening(
        patient=patient,
        screened_by=by,
        outcome=outcome.outcome,
        reasons=[reason.as_json() for reason in outcome.reasons],
        valid_until=values["screened_on"] + timedelta(days=cutoffs.validity_days - 1),
        **fields,
    )
    screening.full_clean()
    screening._history_user = by
    screening.save()
    return screening


@transaction.atomic
def screening_void(*, screening, by, reason: str):
    """Void a screening (after a fall or near fall): it no longer authorises any prescription.

    Locks the patient row first, as prescription_create does, so a prescription
    being saved at the same moment either finishes first or sees the void.
    """
    Patient.objects.select_for_update().filter(pk=screening.patient_id).first()
    locked = BalanceScreening.objects.select_for_update().get(pk=screening.pk)
    if locked.voided_at is not None:
        return locked
    locked.voided_at = timezone.now()
    locked.void_reason = reason[:200]
    locked._history_user = by
    locked.save(update_fields=["voided_at", "void_reason"])
    return locked
