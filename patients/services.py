"""Writes to patients. Each runs in one transaction, validates fully, and is
attributed in the history tables to the user who made it."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from patients.models import Patient
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
        raise PatientError("Only clinicians can add patients.")
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
        raise PatientError("Only a member of the care team can add colleagues to it.")
    if not is_clinician(clinician) or not clinician.is_active:
        raise PatientError("Only active clinicians can join a care team.")
    if patient.care_team.filter(pk=clinician.pk).exists():
        raise PatientError(f"{clinician.get_full_name() or clinician.username} is already on the care team.")
    patient._history_user = by
    patient.care_team.add(clinician)
