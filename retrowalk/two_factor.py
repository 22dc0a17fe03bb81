"""Two-step verification: an authenticator app (TOTP, django-otp) after the password, and backup codes.

Setting up saves an unconfirmed device with a new key; it is confirmed only when
the user proves, with a code, that their app holds the key. Every code is checked
by django-otp's own ``verify_token``, with its throttling after wrong codes, its
clock-drift allowance and its refusal of a code already used. Backup codes are
django-otp static tokens: each works once, and they are shown once, when made.
SecondFactorMiddleware decides who must do which.
"""

from __future__ import annotations

import re
from base64 import b32encode

import django_otp
from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from retrowalk.forms import WIDGET_RENDERER
from retrowalk.middleware import second_factor_required
from retrowalk.qr import qr_svg

# How many backup codes a user gets at a time.
BACKUP_CODES = 10
# The codes just made, kept in the session until the page that shows them once has read them.
FRESH_CODES_KEY = "rw_fresh_backup_codes"
APP_NAME, BACKUP_NAME = "Authenticator app", "Backup codes"


def _digits(value: str) -> str:
    return re.sub(r"\s+", "", value)


class CodeForm(forms.Form):
    default_renderer = WIDGET_RENDERER
    code = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "pattern": "[0-9 ]*"}
        ),
    )

    def clean_code(self):
        code = _digits(self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError(_("Enter the 6 digits your authenticator app shows now."), code="format")
        return code


class VerifyForm(forms.Form):
    default_renderer = WIDGET_RENDERER
    code = forms.CharField(
        label=_("6-digit code from your authenticator app, or a backup code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "none"}),
    )

    def clean_code(self):
        code = _digits(self.cleaned_data["code"]).lower()
        if not (re.fullmatch(r"\d{6}", code) or re.fullmatch(r"[a-z2-7]{8}", code)):
            raise forms.ValidationError(
                _("Enter the 6 digits your authenticator app shows now, or one of your 8-character backup codes."),
                code="format",
            )
        return code


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def _throttled(device) -> bool:
    allowed, _ = device.verify_is_allowed()
    return not allowed


@transaction.atomic
def backup_codes_make(*, user) -> list[str]:
    """A new set of single-use backup codes for the user; the earlier set stops working."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _show_once(request, codes: list[str]):
    request.session[FRESH_CODES_KEY] = codes
    return redirect("two_factor_backup_codes")


@never_cache
def setup(request):
    """Turn on two-step verification: scan the code (or type the key), then prove it with a 6-digit code."""
    user = request.user
    device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    if device is not None:
        backup = StaticDevice.objects.filter(user=user, name=BACKUP_NAME).first()
        return render(
            request,
            "registration/two_factor_status.html",
            {
                "device": device,
                "backup_left": backup.token_set.count() if backup else 0,
                "may_turn_off": not second_factor_required(user),
            },
        )
    # One unconfirmed device a user: its key stays the same until a code confirms it.
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if pending is None:
        pending = TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _throttled(pending):
            form.add_error(
                "code", _("Too many codes that did not match. Wait a few seconds, then type the newest code.")
            )
        elif pending.verify_token(form.cleaned_data["code"]):
            pending.confirmed = True
            pending.save(update_fields=["confirmed"])
            django_otp.login(request, pending)
            messages.success(request, _("Two-step verification is on. You will enter a code each time you sign in."))
            return _show_once(request, backup_codes_make(user=user))
        else:
            form.add_error("code", _("That code does not match. Check the time on your phone and try the newest code."))
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": qr_svg(pending.config_url),
            "secret": " ".join(re.findall(".{1,4}", b32encode(pending.bin_key).decode())),
            "required": second_factor_required(user),
        },
    )


@never_cache
def backup_codes(request):
    """The backup codes just made (shown this once), or how many are left and a button to make new ones."""
    if not TOTPDevice.objects.devices_for_user(request.user, confirmed=True).exists():
        return redirect("two_factor_setup")
    if request.method == "POST":
        messages.success(request, _("New backup codes made. The earlier ones no longer work."))
        return _show_once(request, backup_codes_make(user=request.user))
    fresh = request.session.pop(FRESH_CODES_KEY, None)
    backup = StaticDevice.objects.filter(user=request.user, name=BACKUP_NAME).first()
    return render(
        request,
        "registration/two_factor_backup_codes.html",
        {"codes": fresh, "left": backup.token_set.count() if backup else 0},
    )


@never_cache
def verify(request):
    """The code step after the password, for users with an authenticator: a code from the app or a backup code."""
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Read before trying the code: a wrong code itself makes django-otp wait before the next try.
        code = form.cleaned_data["code"]
        kind = TOTPDevice if code.isdigit() else StaticDevice
        throttled = any(_throttled(d) for d in django_otp.devices_for_user(request.user) if isinstance(d, kind))
        with transaction.atomic():
            device = django_otp.match_token(request.user, code)
        if device is not None:
            django_otp.login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    ngettext(
                        "You signed in with a backup code; %(left)d left. Make new ones under Two-step verification.",
                        "You signed in with a backup code; %(left)d left. Make new ones under Two-step verification.",
                        left,
                    )
                    % {"left": left}
                    if left
                    else _("You used your last backup code. Make new ones under Two-step verification now."),
                )
            return redirect(_next_url(request))
        if throttled:
            form.add_error(
                "code", _("Too many codes that did not match. Wait a few seconds, then try the newest code.")
            )
        else:
            form.add_error(
                "code", _("That code is not right, or was already used. Wait for the next code and try again.")
            )
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@require_POST
def turn_off(request):
    """Remove the authenticator and backup codes, for users whose role does not require them."""
    if second_factor_required(request.user):
        messages.error(request, _("Two-step verification is required for your account and cannot be turned off."))
    else:
        with transaction.atomic():
            TOTPDevice.objects.filter(user=request.user).delete()
            StaticDevice.objects.filter(user=request.user).delete()
        messages.success(request, _("Two-step verification is off."))
    return redirect("two_factor_setup")
