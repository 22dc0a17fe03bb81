"""Anonymous access: every URL needs login except the allow-list."""

import pytest
from django.test import Client

from tests.urlwalk import walk_urls

# Reachable without signing in (SECURITY.md "Access", first row).
PUBLIC = {
    "login",
    "healthz",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "admin:login",
    # The portal's set-password link: its secret is the credential (patients/portal.py).
    "portal:welcome",
    "portal:set_password",
    # The language menu of the sign-in pages (Django's set_language).
    "set_language",
    # The installable web app's parts (retrowalk.offline): nothing private; a browser fetches the worker and
    # the manifest without the session, and the offline page is kept for anyone on the device.
    "service_worker",
    "web_manifest",
    "offline",
    # A patient's calendar feed: phone calendars send no login; the address's long token is the key, and
    # any other token is a 404 (programs.views.calendar_feed).
    "programs:calendar_feed",
    # The unsubscribe link of a reminder email: signed, and used without signing in (programs.messaging).
    "programs:unsubscribe",
}
# Allow-listed URLs whose secret is in the URL: without a real one they answer this, not a page.
SECRET_IN_URL = {"programs:calendar_feed": 404, "programs:unsubscribe": 400}

WALKED = walk_urls()


def test_the_walk_covers_the_app_urls():
    names = {u.name for u in WALKED}
    assert {"home", "programs:dashboard", "programs:my_plan", "patients:list", "admin:index"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize("url", [u for u in WALKED if u.name not in PUBLIC], ids=lambda u: u.name)
def test_anonymous_get_is_sent_to_a_login_page(url):
    """SECURITY.md: Every URL needs login except an explicit allow-list"""
    response = Client().get(url.path)
    assert response.status_code in (302, 405), f"{url.path} answered {response.status_code}"
    if response.status_code == 302:
        location = response["Location"]
        assert location.startswith(("/accounts/login/", "/admin/login/")), location


@pytest.mark.django_db
@pytest.mark.parametrize("url", [u for u in WALKED if u.name in PUBLIC], ids=lambda u: u.name)
def test_allow_listed_urls_answer_without_login(url):
    response = Client().get(url.path)
    assert response.status_code in ((SECRET_IN_URL[url.name],) if url.name in SECRET_IN_URL else (200, 302))
    if response.status_code == 302:
        # The reset-confirm link swaps its token for a session value, then shows its page.
        assert not response["Location"].startswith("/accounts/login/")
