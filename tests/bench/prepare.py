"""Before a load run: the pages to load, and each page's queries per request, counted by Django.

Run by ``tests.bench.run`` with the same settings and database as the server under
load; prints one JSON object. Also clears the session logs of the last load run,
so each run starts from the seeded data.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict


def _caseload():
    from django.contrib.auth import get_user_model

    from tests.bench.seed import CLINICIAN, PATIENT, Caseload

    User = get_user_model()
    clinician = User.objects.get(username=CLINICIAN)
    patient_user = User.objects.get(username=f"{CLINICIAN}-{PATIENT}")
    patients = list(clinician.care_patients.order_by("record_number"))
    return Caseload(clinician=clinician, patient_user=patient_user, patients=patients)


def signed_in_client(user):
    """A test client signed in as the user, with the second step done when the user has a device."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def request(client, page, path=None):
    path = path or page.paths[0]
    if page.method == "POST":
        return client.post(path, page.data, secure=True)
    return client.get(path, secure=True)


class UnexpectedAnswer(RuntimeError):
    """A benchmark request did not get the answer that shows it did its work."""


def count_queries(clients: dict, page) -> int:
    """Queries of one request of the page, after a first one has warmed the session up."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = clients[page.user]
    if page.user == "clinician":
        client.post(reverse("patients:search"), {"q": page.search} if page.search else {"clear": "1"}, secure=True)
    request(client, page)
    with CaptureQueriesContext(connection) as queries:
        response = request(client, page)
    if response.status_code != page.expect:
        raise SystemExit(
            f"{page.name}: {page.method} {page.paths[0]} answered {response.status_code}, not {page.expect}"
        )
    # Savepoints are not queries: a test wraps the request in a transaction, which turns each of
    # Django's constraint checks into a savepoint, a query and a release.
    return sum(not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT")) for query in queries)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from tests.bench.pages import LOG_NOTE, pages
    from tests.bench.seed import CLINICIAN, PASSWORD, PATIENT, SEARCH_NAME, TOTP_KEY

    with connection.cursor() as cursor:
        for table in ("programs_sessionlog", "programs_historicalsessionlog"):
            cursor.execute(f"DELETE FROM {table} WHERE note LIKE %s", [f"{LOG_NOTE}%"])  # noqa: S608 - fixed names
            # Vacuumed now, so autovacuum does not start in the middle of a measurement.
            cursor.execute(f"VACUUM ANALYZE {table}")
    caseload = _caseload()
    found = pages(caseload=caseload, search=SEARCH_NAME, today=timezone.localdate())
    clients = {"clinician": signed_in_client(caseload.clinician), "patient": signed_in_client(caseload.patient_user)}
    queries = {page.name: count_queries(clients, page) for page in found}
    json.dump(
        {
            "pages": [asdict(page) for page in found],
            "queries": queries,
            "users": {"clinician": CLINICIAN, "patient": f"{CLINICIAN}-{PATIENT}"},
            "password": PASSWORD,
            "totp_key": TOTP_KEY,
            "log_note": LOG_NOTE,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
