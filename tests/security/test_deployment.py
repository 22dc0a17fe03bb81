"""SECURITY.md "Browser protections and deployment": production settings, headers, CSRF, caching, errors."""

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests import factories
from tests.security.conftest import url_for
from tests.urlwalk import walk_urls

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "RETROWALK_ENV": "production",
    "DJANGO_SECRET_KEY": "probe-8f3c1e9a7b2d4f60a5c7e1b3d9f2a4c6e8b0d1f3a5c7e9b2d4f6a8c0e1b3d5f7",
    "DJANGO_ALLOWED_HOSTS": "retrowalk.example.org",
}


def _production(args, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "RETROWALK_"))}
    env.update(PRODUCTION_ENV, DATABASE_URL=f"sqlite:///{tmp_path / 'probe.sqlite3'}", PYTHONWARNINGS="ignore")
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)  # noqa: S603


def test_deployment_checks_pass_under_production_settings(tmp_path):
    """SECURITY.md: check --deploy --fail-level WARNING passes under production settings"""
    result = _production([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_over_https(tmp_path):
    """SECURITY.md: HSTS one year with subdomains, secure and HttpOnly cookies, SSL redirect in production
    SECURITY.md: Second factor (TOTP) for every user, required in production for clinicians and administrators
    """
    result = _production([sys.executable, "-m", "tests.security.production_probe"], tmp_path)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["hasher"] == "argon2"
    assert seen["http_redirect"] == [301, "https://retrowalk.example.org/healthz"]
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["csrf_cookie"] == {"secure": True, "httponly": True}
    assert seen["second_factor_note_on_login"] is False  # the demo's "optional" note is not shown in production
    for name in ("probe-clinician", "probe-admin"):
        user = seen[name]
        assert user["login"] == 302
        assert user["session_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}
        assert user["home"] == [302, "/accounts/two-factor/"], "an unverified clinician or admin sets up a factor"
        assert user["dashboard"] == "/accounts/two-factor/"
    enrolled = seen["probe-enrolled"]
    assert enrolled["home"] == [302, "/accounts/two-factor/verify/?next=%2F"]
    assert enrolled["dashboard"] == "/accounts/two-factor/verify/?next=%2Fdashboard%2F"


CHANGE_URLS = [
    "patients:care_team_add",
    "patients:portal_invite",
    "patients:portal_end",
    "programs:pause",
    "programs:stop",
    "programs:resume",
    "programs:complete",
    "programs:review",
    "programs:next_day",
    "programs:closing_note",
    "programs:calendar_renew",
    "programs:calendar_stop",
    "two_factor_turn_off",
]
# The one state change without a CSRF token: an email's unsubscribe link (programs:unsubscribe), posted by
# the mail client with no session (RFC 8058 one-click); its signature is its credential, and a tampered one
# changes nothing (tests/programs/test_reminders.py).


@pytest.mark.django_db
def test_state_changes_need_post_and_a_csrf_token(world, admin_ids):
    """SECURITY.md: CSRF on every state change; state changes only by POST"""
    strict = world.client("treating", enforce_csrf_checks=True)
    for name in CHANGE_URLS:
        url = url_for(name, world, admin_ids)
        assert strict.get(url).status_code == 405, name
        response = strict.post(url, {})
        assert response.status_code == 403 and "form has expired" in response.content.decode().lower(), name
    for name in (
        "patients:create",
        "programs:adjust",
        "programs:log",
        "preferences",
        "password_change",
        "programs:reminders",
    ):
        assert strict.post(url_for(name, world, admin_ids), {}).status_code == 403, name


def _pages(world, admin_ids):
    """Every GET page each persona can open (status 200), with its response."""
    for persona in ("anonymous", "treating", "patient", "admin"):
        client = world.client(persona)
        for walked in walk_urls():
            if walked.name in {"admin:jsi18n", "admin:view_on_site", "logout"}:
                continue
            url = url_for(walked.name, world, admin_ids)
            response = client.get(url)
            if response.status_code == 200:
                yield persona, url, response


EXTERNAL = re.compile(
    r"""(?:src|href|action|srcset|poster|data)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//""", re.I
)


@pytest.mark.django_db
def test_every_page_sends_csp_no_framing_and_no_external_urls_and_patient_pages_no_store(world, admin_ids):
    """SECURITY.md: Content-Security-Policy and X-Frame-Options DENY
    SECURITY.md: Pages with patient data send Cache-Control: no-store
    SECURITY.md: No third-party scripts, fonts or CDNs
    """
    checked = set()
    for persona, url, response in _pages(world, admin_ids):
        csp = response.get("Content-Security-Policy", "")
        for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"):
            assert directive in csp, f"{url} as {persona}: {csp!r}"
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert response["X-Frame-Options"] == "DENY"
        if persona != "anonymous":
            assert "no-store" in response["Cache-Control"], f"{url} as {persona}: {response['Cache-Control']}"
        if response["Content-Type"].startswith("text/html"):
            body = response.content.decode()
            assert not EXTERNAL.search(body), f"{url} as {persona} links outside: {EXTERNAL.search(body).group(0)}"
            assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", body), (
                f"{url} as {persona} has an inline script"
            )
        checked.add(url)
    # The pages with patient data are among them, the PDF included.
    rx = world.prescription.public_id
    for must in (f"/patients/{world.patient.public_id}/", "/my-plan/", f"/plans/{rx}/print/", f"/plans/{rx}/pdf/"):
        assert must in checked


@pytest.mark.django_db
def test_a_server_error_shows_a_reference_and_logs_no_patient_data(settings, clinician, caplog):
    """SECURITY.md: Generic error pages, no stack traces, no PHI in logs or error reports"""
    factories.PatientFactory(care_team=[clinician], first_name="Jane", last_name="Secret")
    settings.ROOT_URLCONF = "tests.retrowalk.urls_failing"
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(clinician)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/fail/")
    assert response.status_code == 500
    body = response.content.decode()
    reference = re.search(r"error reference <strong[^>]*>([0-9A-F]{8})</strong>", body).group(1)
    assert "Traceback" not in body and "Jane Secret" not in body
    # What the app's log handler writes (its redaction filter applied), for the failing request.
    from retrowalk.logs import RedactExceptions

    records = [r for r in caplog.records if r.name == "django.request"]
    assert records
    for record in records:
        RedactExceptions().filter(record)
        text = logging.Formatter("%(message)s").format(record)
        assert "Jane Secret" not in text
        assert f"[error reference {reference}]" in text
        assert "RuntimeError" in text and "failing_view" in text  # still useful to the developer
    # And the app's console handler applies that filter to every record.
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["redact"]
    assert settings.LOGGING["filters"]["redact"]["()"] == "retrowalk.logs.RedactExceptions"
