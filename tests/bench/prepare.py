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


# Pages measured over this many different patients, so that no cache answers the same page again and again.
ROTATION = 1000


def _rotations() -> dict[str, list[tuple[str, str]]]:
    """(path, session cookie) for the rotated pages: the charts of ROTATION patients (each through a clinician
    of their care team, signed in with the second step done) and those patients' own plan pages (each signed
    in as that patient; their logins are made here once), and the plan PDFs of the programs among them."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from patients.models import Patient
    from programs.models import CURRENT_STATUSES
    from retrowalk.roles import PATIENTS
    from tests.bench.pages import LANGUAGE_COOKIE
    from tests.bench.seed import PASSWORD, TOTP_KEY

    User = get_user_model()
    cookie = settings.SESSION_COOKIE_NAME

    def session_of(user) -> str:
        return f"{cookie}={signed_in_client(user).cookies[cookie].value}"

    patients = list(Patient.objects.order_by("record_number")[:ROTATION])
    if len(patients) < ROTATION:
        raise SystemExit(f"the benchmark rotates over {ROTATION} patients, found {len(patients)}")
    with transaction.atomic():
        group = Group.objects.get(name=PATIENTS)
        missing = [patient for patient in patients if patient.user_id is None]
        password = make_password(PASSWORD)
        for patient in missing:
            patient.user = User.objects.create(username=f"bench-patient-{patient.pk}", password=password)
            patient.user.groups.add(group)
        Patient.objects.bulk_update(missing, ["user"])
    clinicians, charts, plans = {}, [], []
    for patient in patients:
        clinician = patient.care_team.order_by("pk").first()
        if clinician.pk not in clinicians:
            TOTPDevice.objects.get_or_create(
                user=clinician, name="benchmark", defaults={"key": TOTP_KEY, "confirmed": True}
            )
            clinicians[clinician.pk] = session_of(clinician)
        charts.append((reverse("patients:detail", kwargs={"public_id": patient.public_id}), clinicians[clinician.pk]))
        plans.append((reverse("programs:my_plan"), session_of(User.objects.get(pk=patient.user_id))))
    sessions = dict(zip((patient.pk for patient in patients), (cookie for _, cookie in plans), strict=True))
    programs = (
        patient.prescriptions.filter(status__in=CURRENT_STATUSES).values_list("public_id", flat=True).first()
        for patient in patients
    )
    pdfs = [
        (reverse("programs:plan_pdf", kwargs={"public_id": public_id}) + "?paper=a4", sessions[patient.pk])
        for patient, public_id in zip(patients, programs, strict=True)
        if public_id is not None
    ]
    spanish = f"; {LANGUAGE_COOKIE}=es"
    return {
        "patient chart": charts,
        "plan page": plans,
        "plan PDF": pdfs,
        "patient chart (es)": [(path, cookie + spanish) for path, cookie in charts],
        "plan page (es)": [(path, cookie + spanish) for path, cookie in plans],
    }


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
    for name, value in page.cookies.items():
        client.cookies[name] = value
    if page.user == "clinician":
        client.post(reverse("patients:search"), {"q": page.search} if page.search else {"clear": "1"}, secure=True)
    request(client, page)
    with CaptureQueriesContext(connection) as queries:
        response = request(client, page)
    for name in page.cookies:
        del client.cookies[name]
    if response.status_code != page.expect:
        raise SystemExit(
            f"{page.name}: {page.method} {page.paths[0]} answered {response.status_code}, not {page.expect}"
        )
    if page.shows and page.shows not in response.content.decode():
        raise UnexpectedAnswer(f"{page.name}: the answer does not show {page.shows!r}")
    # Transaction control is not counted: a test wraps the request in a transaction, which turns a
    # service's BEGIN and COMMIT into a savepoint and its release, and each of Django's constraint checks
    # into a savepoint, a query and a release; the count is the same in a test and under load.
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
    return sum(not query["sql"].startswith(control) for query in queries)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import caches
    from django.db import connection
    from django.utils import timezone

    from tests.bench.pages import LOG_NOTE, pages
    from tests.bench.seed import CLINICIAN, PASSWORD, PATIENT, SEARCH_NAME, TOTP_KEY

    with connection.cursor() as cursor:
        for table in ("programs_sessionlog", "programs_historicalsessionlog"):
            cursor.execute(f"DELETE FROM {table} WHERE note LIKE %s", [f"{LOG_NOTE}%"])  # noqa: S608 - fixed names
            # Vacuumed now, so autovacuum does not start in the middle of a measurement.
            cursor.execute(f"VACUUM ANALYZE {table}")
    # Every cache starts empty, as after a deployment: nothing an earlier run (or an earlier version of the
    # code) kept is found, and the warm-up alone fills them.
    for alias in settings.CACHES:
        caches[alias].clear()
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
            "rotations": _rotations(),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
