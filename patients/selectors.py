"""Reads scoped to the user: a clinician sees only their care-team patients."""

from __future__ import annotations

import uuid

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404

from patients.models import BalanceScreening, Patient
from retrowalk.prepared import PreparedQuery
from retrowalk.roles import is_clinician, is_patient

# ?sort= values a user may choose, and what they mean; anything else falls back to "name".
PATIENT_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("last_name", "first_name", "id"),
    "-name": ("-last_name", "-first_name", "-id"),
    "record": ("record_number",),
    "-record": ("-record_number",),
    "condition": ("condition__name", "last_name", "first_name", "id"),
    "-condition": ("-condition__name", "last_name", "first_name", "id"),
    "updated": ("-updated_at", "id"),
}
DEFAULT_SORT = "name"


def patients_for(*, user) -> QuerySet[Patient]:
    if is_clinician(user):
        return Patient.objects.filter(care_team=user).select_related("condition")
    if is_patient(user):
        return Patient.objects.filter(user=user).select_related("condition")
    return Patient.objects.none()


def _scoped_patient(scope: str) -> PreparedQuery:
    return PreparedQuery(
        lambda user_id, public_id: Patient.objects.filter(**{scope: user_id}, public_id=public_id).select_related(
            "condition", "user"
        ),
        user_id=int,
        public_id=uuid.UUID,
    )


# One patient in the user's scope, read on every chart and patient page: prepared once per connection.
_SCOPED = {"clinician": _scoped_patient("care_team"), "patient": _scoped_patient("user")}


def scoped_lookup(user, public_id: uuid.UUID | str) -> tuple[str | None, uuid.UUID | None]:
    """The user's scope ("clinician", "patient" or None: nothing) and the id as a UUID (None if it is not one)."""
    try:
        public_id = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        return None, None
    return ("clinician" if is_clinician(user) else "patient" if is_patient(user) else None), public_id


def patient_for(*, user, public_id: uuid.UUID | str) -> Patient:
    """The patient if the user may see them; otherwise 404 (never confirm that they exist)."""
    role, public_id = scoped_lookup(user, public_id)
    found = [] if role is None else _SCOPED[role].run(user_id=user.pk, public_id=public_id)
    if len(found) != 1:
        raise Http404("No such patient.")
    return found[0]


def patient_search(queryset: QuerySet[Patient], text: str) -> QuerySet[Patient]:
    """Every word must match the first name, last name or record number."""
    for word in text.split()[:5]:
        queryset = queryset.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(record_number__icontains=word)
        )
    return queryset


def sort_key(requested: str | None) -> str:
    return requested if requested in PATIENT_SORTS else DEFAULT_SORT


# Read on every chart (and the latest screening on every prescribing page): prepared once per connection.
CHART_SCREENINGS = 10
_RECENT_SCREENINGS = PreparedQuery(
    lambda patient_id: BalanceScreening.objects.filter(patient=patient_id).select_related("screened_by")[
        :CHART_SCREENINGS
    ],
    patient_id=int,
)
_LATEST_SCREENING = PreparedQuery(
    lambda patient_id: BalanceScreening.objects.filter(patient=patient_id)[:1],
    patient_id=int,
)
_CARE_TEAM = PreparedQuery(
    lambda patient_id: get_user_model().objects.filter(care_patients=patient_id).order_by("last_name", "first_name"),
    patient_id=int,
)


def latest_screening(*, patient: Patient) -> BalanceScreening | None:
    found = _LATEST_SCREENING.run(patient_id=patient.pk)
    return found[0] if found else None


def recent_screenings(*, patient: Patient) -> list[BalanceScreening]:
    """The patient's latest screenings, newest first (the chart shows ten)."""
    return _RECENT_SCREENINGS.run(patient_id=patient.pk)


def care_team_of(*, patient: Patient) -> list:
    """The clinicians on the patient's care team, by name."""
    return _CARE_TEAM.run(patient_id=patient.pk)
