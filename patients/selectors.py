"""Reads scoped to the user: a clinician sees only their care-team patients."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import get_language

from patients import outcomes
from patients.models import BalanceScreening, Patient, PortalInvitation
from retrowalk.models import keep_preferences, language_of, preferences_subqueries
from retrowalk.roles import is_clinician, is_patient
from retrowalk.translated import in_language

# ?sort= values a user may choose, and what they mean; anything else falls back to "name".
PATIENT_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("last_name", "first_name", "id"),
    "-name": ("-last_name", "-first_name", "-id"),
    "record": ("record_number",),
    "-record": ("-record_number",),
    "condition": ("condition_name", "last_name", "first_name", "id"),
    "-condition": ("-condition_name", "last_name", "first_name", "id"),
    "updated": ("-updated_at", "id"),
}
DEFAULT_SORT = "name"


def patients_for(*, user) -> QuerySet[Patient]:
    if is_clinician(user):
        return Patient.objects.filter(care_team=user).select_related("condition")
    if is_patient(user):
        return Patient.objects.filter(user=user).select_related("condition")
    return Patient.objects.none()


# The user's scope: the patients a clinician's care team holds, or the patient's own record.
_SCOPES = {"clinician": "care_team", "patient": "user"}


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
    if role is None:
        raise Http404("No such patient.")
    found = (
        Patient.objects.select_related("condition", "user")
        .annotate(**preferences_subqueries(OuterRef("user")))  # the portal login's language and unit
        .filter(**{_SCOPES[role]: user}, public_id=public_id)
    )
    try:
        patient = found.get()
    except Patient.DoesNotExist:
        raise Http404("No such patient.") from None
    if patient.user is not None:
        keep_preferences(patient.user, patient)
    return patient


def patient_search(queryset: QuerySet[Patient], text: str) -> QuerySet[Patient]:
    """Every word must match the first name, last name or record number."""
    for word in text.split()[:5]:
        queryset = queryset.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(record_number__icontains=word)
        )
    return queryset


def sort_key(requested: str | None) -> str:
    return requested if requested in PATIENT_SORTS else DEFAULT_SORT


def patients_sorted(queryset: QuerySet[Patient], sort: str) -> QuerySet[Patient]:
    """The patients in a ``PATIENT_SORTS`` order; conditions sort by their names in the reader's language."""
    return queryset.alias(condition_name=in_language("condition__name")).order_by(*PATIENT_SORTS[sort])


# The chart shows the latest ten screenings.
CHART_SCREENINGS = 10


def latest_screening(*, patient: Patient) -> BalanceScreening | None:
    return BalanceScreening.objects.filter(patient=patient).first()


def care_team_of(*, patient: Patient) -> list:
    """The clinicians on the patient's care team, by name."""
    return list(get_user_model().objects.filter(care_patients=patient).order_by("last_name", "first_name"))


def chart_state(*, patient: Patient, care_team: list, portal, screenings: list, viewer, today: date) -> tuple:
    """Everything the chart's patient part (details, care team, portal, screenings) is drawn from, to key it
    ({% cache %}). A screening never changes but to be voided; a patient's edit moves ``updated_at``; a
    set-password link's state moves with the clock, so it is read now.
    """
    user, latest = portal.user, portal.latest
    return (
        (patient.pk, patient.updated_at, patient.condition.name),
        viewer.pk,  # "(you)" in the care team
        [(member.pk, member.get_full_name(), member.username) for member in care_team],
        user and (user.pk, user.username, user.email, user.is_active, user.has_usable_password(), user.last_login),
        language_of(user) if user else get_language(),  # the invitation form's "The patient reads"
        latest and (latest.pk, latest.state, latest.renewal_requested_at),
        [(s.pk, s.voided_at, s.screened_by.get_full_name(), s.screened_by.username) for s in screenings],
        today,
    )


def all_screenings(*, patient: Patient) -> list[BalanceScreening]:
    """Every screening of the patient, newest first (the chart lists ten; its trends read them all)."""
    return list(BalanceScreening.objects.filter(patient=patient).select_related("screened_by"))


def outcome_trends(
    *, patient: Patient, screenings: list[BalanceScreening] | None = None, until: date | None = None
) -> outcomes.Outcomes:
    """Every instrument the patient was measured with, over time, marked against CLINICAL.md section 8:
    from ``screenings`` when they are loaded already, else read (up to ``until``)."""
    if screenings is None:
        found = BalanceScreening.objects.filter(patient=patient)
        screenings = list(found.filter(screened_on__lte=until) if until else found)
    rows = sorted(
        (s for s in screenings if until is None or s.screened_on <= until), key=lambda s: (s.screened_on, s.created_at)
    )
    points = {
        key: [
            outcomes.Point(s.screened_on, Decimal(getattr(s, name)), s.screened_by_id)
            for s in rows
            if getattr(s, name) is not None
        ]
        for key, name in outcomes.SCREENING_FIELDS.items()
    }

    def group_on(day: date) -> str:
        return outcomes.group_of(
            condition_code=patient.condition_code,
            population=patient.condition.screening_population,
            stroke_date=patient.stroke_date,
            on=day,
        )

    trends = [
        trend
        for key, instrument in outcomes.INSTRUMENTS.items()
        if (trend := outcomes.trend(instrument, points[key], group_on=group_on))
    ]
    levels = [(s.screened_on, s.gmfcs) for s in rows if s.gmfcs is not None]
    return outcomes.Outcomes(
        trends=trends,
        gmfcs_events=outcomes.level_changes(levels),
        gmfcs_latest=levels[-1][1] if levels else None,
    )


def portal_renewals_waiting(*, clinician) -> int:
    """How many of the clinician's patients asked for a new set-password link that nobody has sent yet."""
    latest = {}
    invitations = PortalInvitation.objects.filter(patient__care_team=clinician).order_by("patient_id", "-created_at")
    for invitation in invitations:
        latest.setdefault(invitation.patient_id, invitation)
    return sum(1 for i in latest.values() if i.renewal_requested_at and i.state != "open")
