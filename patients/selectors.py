"""Reads scoped to the user: a clinician sees only their care-team patients."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet
from django.http import Http404

from patients.models import Patient
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
            "condition"
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


def latest_screening(*, patient: Patient):
    return patient.screenings.select_related("screened_by").first()


def screenings_of(*, patient: Patient):
    return patient.screenings.select_related("screened_by")
