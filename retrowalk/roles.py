"""The two roles are groups; administrators are staff users.

Everything that asks "what may this user do" goes through here, so a role is
spelled in exactly one place.
"""

from __future__ import annotations

from django.contrib.auth.mixins import UserPassesTestMixin
from django.core.exceptions import PermissionDenied

CLINICIANS = "clinicians"
PATIENTS = "patients"
ROLE_GROUPS = (CLINICIANS, PATIENTS)


def _group_names(user) -> frozenset[str]:
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_retrowalk_groups", None)
    if cached is None:
        if hasattr(user, "_in_clinicians"):  # read with the user (retrowalk.backends.AccountBackend)
            flags = ((CLINICIANS, user._in_clinicians), (PATIENTS, user._in_patients))
            cached = frozenset(name for name, member in flags if member)
        else:
            cached = frozenset(user.groups.values_list("name", flat=True))
        user._retrowalk_groups = cached
    return cached


def is_clinician(user) -> bool:
    return CLINICIANS in _group_names(user)


def is_patient(user) -> bool:
    return PATIENTS in _group_names(user) and not is_clinician(user)


def is_administrator(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def role_of(user) -> str | None:
    """The role that decides the user's home page and navigation."""
    if is_clinician(user):
        return "clinician"
    if is_patient(user):
        return "patient"
    if is_administrator(user):
        return "administrator"
    return None


def require_clinician(user) -> None:
    if not is_clinician(user):
        raise PermissionDenied("This page is for clinicians.")


def require_patient(user) -> None:
    if not is_patient(user):
        raise PermissionDenied("This page is for patients.")


class ClinicianRequiredMixin(UserPassesTestMixin):
    """Class-based views for clinicians; any other signed-in user gets 403."""

    raise_exception = True

    def test_func(self) -> bool:
        return is_clinician(self.request.user)
