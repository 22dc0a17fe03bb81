"""The portal invitation pages: the clinician's invite and end-access actions, and the patient's
set-password link (open to the world: the link's secret is the credential)."""

from __future__ import annotations

import logging
from smtplib import SMTPException

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.mail import send_mail
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from patients import portal, selectors
from patients.forms import PortalInviteForm
from retrowalk.models import language_of
from retrowalk.roles import require_clinician
from retrowalk.views import LOGIN_USERNAME_KEY

log = logging.getLogger(__name__)
SESSION_KEY = "portal_invitation"


def _send(template: str, context: dict, to: list[str], *, language: str) -> bool:
    """Send one of the portal's emails (templates/patients/email/<template>_subject.txt and _body.txt) in the
    recipients' language."""
    with translation.override(language):
        subject = render_to_string(f"patients/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"patients/email/{template}_body.txt", context)
    try:
        send_mail(subject, body, None, to)
    except (SMTPException, OSError):
        log.warning("Portal email could not be sent", exc_info=True)
        return False
    return True


@never_cache
@require_POST
def portal_invite(request, public_id):
    require_clinician(request.user)
    patient = selectors.patient_for(user=request.user, public_id=public_id)
    form = PortalInviteForm(request.POST, patient=patient)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(patient)
    try:
        invitation, token = portal.portal_invite(
            patient=patient,
            by=request.user,
            username=form.cleaned_data.get("username") or portal.username_suggestion(patient),
            email=form.cleaned_data["email"],
            language=form.cleaned_data["language"] or None,
        )
    except portal.PortalError as exc:
        messages.error(request, str(exc))
        return redirect(patient)
    link = request.build_absolute_uri(reverse("portal:welcome", kwargs={"token": token}))
    emailed = False
    if invitation.emailed_to:
        emailed = _send(
            "invitation",
            {"patient": patient, "therapist": request.user.get_full_name(), "invitation": invitation, "link": link},
            [invitation.emailed_to],
            language=language_of(invitation.user) or translation.get_language(),
        )
    return render(
        request,
        "patients/portal_invited.html",
        {"patient": patient, "invitation": invitation, "link": link, "emailed": emailed},
    )


@require_POST
def portal_end(request, public_id):
    require_clinician(request.user)
    patient = selectors.patient_for(user=request.user, public_id=public_id)
    try:
        portal.portal_access_end(patient=patient, by=request.user)
    except portal.PortalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Portal access ended: the login no longer works and open links are withdrawn."))
    return redirect(patient)


def _dead_link(request, exc: portal.InvitationUnusable, token: str = ""):
    return render(
        request,
        "patients/portal_link_problem.html",
        {
            "state": exc.state,
            "message": str(exc),
            "token": token,
            "can_ask": exc.invitation is not None,
            "asked": bool(exc.invitation and exc.invitation.renewal_requested_at),
        },
    )


def _renewal(request, invitation):
    """The patient asks for a new link: recorded on the chart, and the care team is emailed (no name in it)."""
    recipients = portal.portal_renewal_request(invitation_id=invitation.pk)
    if recipients:
        chart = request.build_absolute_uri(invitation.patient.get_absolute_url())
        # Each clinician reads it in their own language: one email per language.
        by_language = {}
        for clinician in recipients:
            by_language.setdefault(language_of(clinician) or settings.LANGUAGE_CODE, []).append(clinician.email)
        for language, emails in by_language.items():
            _send("renewal", {"chart": chart}, emails, language=language)
    return render(request, "patients/portal_link_problem.html", {"requested": True})


@login_not_required
@never_cache
def portal_welcome(request, token):
    """The link in the invitation: check it, then continue on a page whose URL holds no secret."""
    try:
        invitation = portal.invitation_for(token)
    except portal.InvitationUnusable as exc:
        if request.method == "POST" and exc.invitation is not None:
            return _renewal(request, exc.invitation)
        return _dead_link(request, exc, token)
    request.session[SESSION_KEY] = invitation.pk
    return redirect("portal:set_password")


@login_not_required
@never_cache
def portal_set_password(request):
    try:
        invitation = portal.invitation_by_id(request.session.get(SESSION_KEY))
    except portal.InvitationUnusable as exc:
        if request.method == "POST" and request.POST.get("action") == "renew" and exc.invitation is not None:
            return _renewal(request, exc.invitation)
        return _dead_link(request, exc)
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = portal.portal_password_set(invitation_id=invitation.pk, password=form.cleaned_data["new_password1"])
        except portal.InvitationUnusable as exc:
            return _dead_link(request, exc)
        logout(request)
        request.session[LOGIN_USERNAME_KEY] = user.username
        messages.success(
            request, _("Your password is set. Log in with your username: %(username)s") % {"username": user.username}
        )
        return redirect("login")
    return render(request, "patients/portal_set_password.html", {"form": form, "username": invitation.user.username})
