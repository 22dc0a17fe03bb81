"""The patient portal's invitations: a login for the patient (or caregiver) and a one-time link to set its password.

Services in the STYLE.md sense: each write is one transaction and checks what it
is allowed to do. Only a digest of the link's secret is stored, so the link can be
shown once and never recovered from the database.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patients.models import Patient, PortalInvitation
from retrowalk.models import speed_unit_of
from retrowalk.roles import PATIENTS, is_clinician
from retrowalk.services import preferences_update

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 100

# What a dead link's page says, by state.
STATE_MESSAGES = {
    "expired": gettext_lazy("This link has expired."),
    "used": gettext_lazy("This link has already been used to set a password."),
    "revoked": gettext_lazy("This link was replaced by a newer one or withdrawn by your therapist."),
    "unknown": gettext_lazy("This link is not valid. Check that you copied all of it."),
}


class PortalError(Exception):
    """A refused portal change, with a message for the person who asked."""


class InvitationUnusable(Exception):
    """A set-password link that cannot be used; ``state`` says why."""

    def __init__(self, state: str, invitation: PortalInvitation | None = None):
        self.state = state
        self.invitation = invitation
        super().__init__(STATE_MESSAGES[state])


@dataclass(frozen=True)
class PortalStatus:
    """What the chart's portal card says."""

    user: object | None
    latest: PortalInvitation | None

    @property
    def active(self) -> bool:
        return self.user is not None and self.user.is_active

    @property
    def has_password(self) -> bool:
        return self.user is not None and self.user.has_usable_password()

    @property
    def renewal_requested(self) -> bool:
        return bool(self.latest and self.latest.renewal_requested_at and self.latest.state != "open")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def portal_status(*, patient: Patient) -> PortalStatus:
    # One query for every patient, with a login or without (portal_invite makes the login before any link,
    # so without one there is none): the chart reads the same number of queries whoever it shows.
    latest = PortalInvitation.objects.filter(patient=patient).order_by("-created_at").first()
    return PortalStatus(user=patient.user, latest=latest)


def username_base(patient: Patient) -> str:
    """Initial and surname, lower case and ASCII (pjones): the suggestion before checking it is free."""
    return slugify(f"{patient.first_name[:1]}{patient.last_name}").replace("-", "")[:24] or "patient"


def username_suggestion(patient: Patient) -> str:
    """Initial and surname, lower case and ASCII (pjones), numbered when taken (pjones2)."""
    base = username_base(patient)
    taken = {
        name.lower()
        for name in get_user_model().objects.filter(username__istartswith=base).values_list("username", flat=True)
    }
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}{number}"
    return candidate


def _new_login(patient: Patient, *, username: str, email: str):
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise PortalError(_("The username “%(username)s” is taken: choose another.") % {"username": username})
    user = User(username=username, first_name=patient.first_name, last_name=patient.last_name, email=email)
    user.set_unusable_password()
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise PortalError(" ".join(exc.messages)) from exc
    user.save()
    user.groups.add(Group.objects.get_or_create(name=PATIENTS)[0])
    return user


@transaction.atomic
def portal_invite(
    *, patient: Patient, by, username: str = "", email: str = "", language: str | None = None
) -> tuple[PortalInvitation, str]:
    """Create the patient's login if needed and a fresh set-password link; older open links stop working.

    ``language`` is the one the patient reads (their plan, its PDF, their emails), kept as their login's
    preference; None leaves it as it is. Returns the invitation and the link's secret (shown once, never stored).
    """
    if not is_clinician(by):
        raise PortalError(_("Only clinicians invite patients to the portal."))
    patient = Patient.objects.select_for_update(of=("self",)).select_related("user").get(pk=patient.pk)
    if not patient.care_team.filter(pk=by.pk).exists():
        raise PortalError(_("Only the patient's care team can invite them to the portal."))
    user = patient.user
    if user is None:
        user = _new_login(patient, username=username.strip(), email=email)
        patient.user = user
        patient._history_user = by
        patient.save(update_fields=["user", "updated_at"])
    else:
        if is_clinician(user) or user.is_staff:
            raise PortalError(_("This patient's login belongs to staff; it cannot be used for the portal."))
        user.is_active = True
        if email:
            user.email = email
        user.save(update_fields=["is_active", "email"])
    if language is not None:
        preferences_update(user=user, speed_unit=speed_unit_of(user), language=language)
    now = timezone.now()
    patient.portal_invitations.filter(used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation = PortalInvitation.objects.create(
        patient=patient,
        user=user,
        token_digest=digest(token),
        created_by=by,
        created_at=now,
        expires_at=now + timedelta(days=settings.PORTAL_INVITATION_DAYS),
        emailed_to=email,
    )
    return invitation, token


def invitation_for(token: str) -> PortalInvitation:
    """The open invitation behind a link's secret, or InvitationUnusable saying why not."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvitationUnusable("unknown")
    return _usable(
        PortalInvitation.objects.select_related("user", "patient").filter(token_digest=digest(token)).first()
    )


def invitation_by_id(invitation_id: int | None) -> PortalInvitation:
    """The open invitation a set-password page holds in its session, or InvitationUnusable."""
    if invitation_id is None:
        raise InvitationUnusable("unknown")
    return _usable(PortalInvitation.objects.select_related("user", "patient").filter(pk=invitation_id).first())


def _usable(invitation: PortalInvitation | None) -> PortalInvitation:
    if invitation is None:
        raise InvitationUnusable("unknown")
    if invitation.state != "open":
        raise InvitationUnusable(invitation.state, invitation)
    return invitation


@transaction.atomic
def portal_password_set(*, invitation_id: int, password: str):
    """Set the password once: the link is used up in the same transaction (a second try is refused)."""
    invitation = _usable(
        PortalInvitation.objects.select_for_update().select_related("user").filter(pk=invitation_id).first()
    )
    user = invitation.user
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    return user


@transaction.atomic
def portal_renewal_request(*, invitation_id: int) -> list[str]:
    """A patient holding a dead link asks for a new one: recorded once on the chart.

    Returns the care team members to tell, who have an email address (none when already asked or the link
    still works).
    """
    invitation = PortalInvitation.objects.select_for_update().filter(pk=invitation_id).first()
    if invitation is None or invitation.state == "open" or invitation.renewal_requested_at:
        return []
    invitation.renewal_requested_at = timezone.now()
    invitation.save(update_fields=["renewal_requested_at"])
    return list(invitation.patient.care_team.filter(is_active=True).exclude(email=""))


@transaction.atomic
def portal_access_end(*, patient: Patient, by) -> None:
    """Turn the patient's portal login off and withdraw open links (a new invitation turns it on again)."""
    patient = Patient.objects.select_for_update(of=("self",)).select_related("user").get(pk=patient.pk)
    if not patient.care_team.filter(pk=by.pk).exists():
        raise PortalError(_("Only the patient's care team can end portal access."))
    if patient.user is None:
        raise PortalError(_("This patient has no portal login."))
    patient.portal_invitations.filter(used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=timezone.now())
    patient.user.is_active = False
    patient.user.save(update_fields=["is_active"])
