"""Request-wide protections (session limits, the second factor, no-store caching) and the reader's language.

Each class is small and does one thing; settings.MIDDLEWARE gives their order.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _

from retrowalk.models import language_of
from retrowalk.roles import role_of

# Session keys (seconds since the epoch).
SIGNED_IN_AT = "rw_signed_in_at"
LAST_SEEN_AT = "rw_last_seen_at"
# The last-seen stamp is rewritten at most this often, so that reading pages
# does not write the session row on every request.
_LAST_SEEN_RESOLUTION = 60


def _redirect_back_after(url_name: str, request):
    """To a step (login, the code) that returns to the page asked for."""
    return redirect(f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}")


class SessionLimitsMiddleware:
    """Idle logout and an absolute session lifetime, enforced on the server.

    ``RETROWALK_SESSION_IDLE_SECONDS`` (15 minutes) without a request, or
    ``SESSION_COOKIE_AGE`` (12 hours) after signing in, and the session is
    flushed: its row is deleted and the next page is the login page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            signed_in = session.get(SIGNED_IN_AT)
            last_seen = session.get(LAST_SEEN_AT, signed_in)
            if signed_in is None:
                # A session from before these limits, or one made by force_login in a script.
                session[SIGNED_IN_AT] = session[LAST_SEEN_AT] = now
            else:
                idle = now - last_seen > settings.RETROWALK_SESSION_IDLE_SECONDS
                if idle or now - signed_in > settings.SESSION_COOKIE_AGE:
                    logout(request)
                    messages.info(
                        request,
                        _("You were signed out after 15 minutes without activity. Sign in again to continue.")
                        if idle
                        else _("You were signed out because you had been signed in for 12 hours. Sign in again."),
                    )
                    return _redirect_back_after(settings.LOGIN_URL, request)
                if now - last_seen >= _LAST_SEEN_RESOLUTION:
                    session[LAST_SEEN_AT] = now
        return self.get_response(request)


def stamp_sign_in(sender, request, user, **kwargs):
    """user_logged_in receiver: start both clocks at sign-in (the session key is already new)."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = request.session[LAST_SEEN_AT] = now


# Pages an unverified user may still open: the second-factor steps themselves and signing out.
_SECOND_FACTOR_OPEN = ("two_factor_verify", "two_factor_setup", "logout")


def second_factor_required(user) -> bool:
    """True when this user must pass a second factor before any page (production: clinicians, administrators)."""
    return role_of(user) in settings.RETROWALK_SECOND_FACTOR_ROLES


class SecondFactorMiddleware:
    """After the password, a user with a confirmed authenticator, or one whose role requires it, enters a code.

    Runs after django_otp's OTPMiddleware (``user.is_verified()``). A required
    user without an authenticator is sent to set one up first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.url_name in _SECOND_FACTOR_OPEN and not match.namespace:
            return None
        from django_otp.plugins.otp_totp.models import TOTPDevice

        # The authenticator app decides: backup codes exist only beside it (retrowalk.two_factor).
        if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
            return _redirect_back_after("two_factor_verify", request)
        if second_factor_required(user):
            return redirect("two_factor_setup")
        return None


class NoStoreMiddleware:
    """Nothing a signed-in user is shown may be kept by the browser or a proxy (SECURITY.md, no-store row)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


class LanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, which first asks the signed-in user's language (*Settings*).

    A user who chose none, and everyone before signing in, gets Django's choice: the language cookie that
    ``set_language`` leaves (the menu on the sign-in pages), else the browser's Accept-Language.
    Placed after AuthenticationMiddleware; the user's language is read with the user (retrowalk.backends).
    """

    def process_request(self, request):
        language = language_of(getattr(request, "user", None))
        if language in dict(settings.LANGUAGES):  # not "" (none chosen), nor a language no longer offered
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        else:
            super().process_request(request)
