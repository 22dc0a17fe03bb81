import re
import secrets
import sys
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from retrowalk import offline, services
from retrowalk.forms import PreferencesForm
from retrowalk.models import language_of, speed_unit_of
from retrowalk.roles import is_clinician, is_patient, role_of

# The session key under which a page that has just set a password leaves the username for the login form.
LOGIN_USERNAME_KEY = "login_username"


class LoginView(auth_views.LoginView):
    """Django's login, with the username filled in after a password was just set (never from the URL)."""

    def get_initial(self):
        initial = super().get_initial()
        username = self.request.session.pop(LOGIN_USERNAME_KEY, "") if self.request.method == "GET" else ""
        if username:
            initial["username"] = username
        return initial

    def get_context_data(self, **kwargs):
        # The demo says on its login page that the second factor is optional here and required in production.
        return super().get_context_data(**kwargs, second_factor_optional=not settings.RETROWALK_SECOND_FACTOR_ROLES)


HOME_BY_ROLE = {
    "clinician": "programs:dashboard",
    "patient": "programs:my_plan",
    "administrator": "admin:index",
}


def home(request):
    """Send each role to its own landing page after login."""
    target = HOME_BY_ROLE.get(role_of(request.user))
    if target is None:
        return render(request, "retrowalk/no_role.html", status=403)
    return redirect(target)


@login_not_required
@require_GET
@never_cache
def healthz(request):
    """200 when the database answers a query, 503 when it does not. No login, no detail."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


def preferences(request):
    """Each user's display preferences: the language and the speed unit.

    Saving also leaves the language in Django's language cookie, so the sign-in page after signing out
    speaks it too; the saved message is already in the new language (the next page is).
    """
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            language = form.cleaned_data["language"]
            services.preferences_update(
                user=request.user, speed_unit=form.cleaned_data["speed_unit"], language=language
            )
            response = redirect("preferences")
            if language:
                translation.activate(language)
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    language,
                    max_age=settings.LANGUAGE_COOKIE_AGE,
                    path=settings.LANGUAGE_COOKIE_PATH,
                    domain=settings.LANGUAGE_COOKIE_DOMAIN,
                    secure=settings.LANGUAGE_COOKIE_SECURE,
                    httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                    samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                )
            else:
                response.delete_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    path=settings.LANGUAGE_COOKIE_PATH,
                    domain=settings.LANGUAGE_COOKIE_DOMAIN,
                    samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                )
            messages.success(request, _("Your settings were saved."))
            return response
    else:
        form = PreferencesForm(
            initial={"speed_unit": speed_unit_of(request.user), "language": language_of(request.user)}
        )
    more = settings.SETTINGS_PAGES if (is_clinician(request.user) or is_patient(request.user)) else []
    return render(request, "retrowalk/preferences.html", {"form": form, "more": more})


def _error_page(template: str, status: int):
    def view(request, exception=None):
        return render(request, template, status=status)

    return view


# How long a browser is asked to wait before trying again when the database cannot be reached.
RETRY_AFTER_SECONDS = 30


def server_error(request):
    """The 500 page: no request context (it must render when the database is down), and an error reference.

    The reference is also on the log line of the failure (retrowalk.logs), so support can find one from the other.
    When the failure is the database not answering (a restart, a network cut), the page is a 503 that says the
    service is briefly unavailable: nothing is wrong with what the user did, and trying again soon will work.
    Django calls this view while it handles the exception, and hands it only the request: the exception is
    ``sys.exception()``.
    """
    reference = secrets.token_hex(4).upper()
    request.error_reference = reference
    if isinstance(sys.exception(), (OperationalError, InterfaceError)):
        response = HttpResponse(loader.get_template("503.html").render({"reference": reference}), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.get_template("500.html").render({"reference": reference}))


bad_request = _error_page("400.html", 400)
permission_denied = _error_page("403.html", 403)
page_not_found = _error_page("404.html", 404)


# --- The installable web app (retrowalk.offline) ---


class LogoutView(auth_views.LogoutView):
    """Django's sign-out, which also asks the browser to delete the pages and logs kept for offline use."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = offline.CLEAR_SITE_DATA
        return response


@login_not_required
@require_GET
def service_worker(request):
    """The service worker, at the root so that its scope is the whole site. It holds nothing private."""
    any_program = str(uuid.UUID(int=0))
    log_form = reverse("programs:log", kwargs={"public_id": any_program})
    context = {
        "version": settings.RELEASE,
        # Any program's log form: the posts the worker keeps when there is no connection.
        "log_form_pattern": "^" + re.escape(log_form).replace(re.escape(any_program), "[0-9a-f-]{36}") + "$",
        "files": [static(path) for path in offline.FILES],
        "queue_script": static("js/offline_queue.js"),
        "keep_header": offline.KEEP_HEADER,
        "offline_url": reverse("offline"),
        "plan_url": reverse("programs:my_plan"),
        "static_url": settings.STATIC_URL,
    }
    response = render(request, "retrowalk/sw.js", context, content_type="text/javascript; charset=utf-8")
    # The browser looks for a new worker on every visit; a new release's worker replaces the old one.
    patch_cache_control(response, no_cache=True)
    return response


@login_not_required
@require_GET
def web_manifest(request):
    """The web app manifest: the patient's plan installed on the phone's home screen."""
    manifest = {
        "name": _("retrowalk — my walking plan"),
        "short_name": "retrowalk",
        "description": _("Your backward walking plan, session timer and log, also without a connection."),
        "lang": translation.get_language(),
        "dir": "rtl" if translation.get_language_bidi() else "ltr",
        "start_url": reverse("programs:my_plan"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b4f6c",
        "icons": [
            {"src": static("images/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("images/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("images/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return JsonResponse(manifest, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


@login_not_required
@require_GET
def offline_page(request):
    """What the phone shows without a connection for a page it has not kept. The same for everyone."""
    return render(request, "retrowalk/offline.html")
