"""Requests against the app under production settings, in a process of its own.

Run by tests/security/test_deployment.py with RETROWALK_ENV=production and a
scratch SQLite database; prints what it saw as JSON. The one change to the
production settings: static files are named as in development, so pages render
without a collectstatic run (the manifest only renames files).
"""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retrowalk.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
HOST = settings.ALLOWED_HOSTS[0]


class HttpsClient(Client):
    """Every request over HTTPS, as behind the production TLS endpoint."""

    def generic(self, *args, **kwargs):
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


PASSWORD = "a long enough probe password 1"


def main() -> None:
    call_command("migrate", verbosity=0, interactive=False)
    clinicians = Group.objects.get(name="clinicians")
    plain = User.objects.create(username="probe-clinician", password=make_password(PASSWORD))
    plain.groups.add(clinicians)
    enrolled = User.objects.create(username="probe-enrolled", password=make_password(PASSWORD))
    enrolled.groups.add(clinicians)
    TOTPDevice.objects.create(user=enrolled, name="phone", confirmed=True)
    User.objects.create(username="probe-admin", password=make_password(PASSWORD), is_staff=True, is_superuser=True)

    seen: dict = {"hasher": plain.password.split("$")[0]}
    insecure = Client(HTTP_HOST=HOST).get("/healthz")
    seen["http_redirect"] = [insecure.status_code, insecure.get("Location", "")]
    secure = HttpsClient(HTTP_HOST=HOST)
    health = secure.get("/healthz")
    seen["hsts"] = health.get("Strict-Transport-Security", "")
    login_page = secure.get("/accounts/login/")
    seen["login_page"] = login_page.status_code
    seen["second_factor_note_on_login"] = "second-factor-note" in login_page.content.decode()
    csrf = login_page.cookies.get("csrftoken")
    seen["csrf_cookie"] = {"secure": bool(csrf["secure"]), "httponly": bool(csrf["httponly"])} if csrf else None
    for name in ("probe-clinician", "probe-enrolled", "probe-admin"):
        client = HttpsClient(HTTP_HOST=HOST)
        response = client.post("/accounts/login/", {"username": name, "password": PASSWORD})
        cookie = response.cookies.get(settings.SESSION_COOKIE_NAME)
        home = client.get("/")
        nxt = client.get(home["Location"]) if home.status_code == 302 else home
        seen[name] = {
            "login": response.status_code,
            "session_cookie": {
                "secure": bool(cookie["secure"]),
                "httponly": bool(cookie["httponly"]),
                "samesite": cookie["samesite"],
            }
            if cookie
            else None,
            "home": [home.status_code, home.get("Location", "")],
            "then": [nxt.status_code, nxt.get("Location", "")],
            "dashboard": client.get("/dashboard/").get("Location", ""),
        }
    json.dump(seen, sys.stdout)


if __name__ == "__main__":
    main()
