"""Concurrent reads and session-log writes against a live server: no errors, every write kept exactly once.

The benchmark (``make bench``) measures speed under the same kind of load; this test
only counts answers and rows, so it is exact: every client waits for each answer.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import PrescriptionStatus, SessionLog
from programs.selectors import current_prescription
from tests.bench.pages import LOG_NOTE, log_form
from tests.bench.run import Session
from tests.bench.seed import PASSWORD, build_caseload

CLIENTS = 16
REQUESTS_EACH = 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_reads_and_writes_lose_nothing(live_server):
    """SECURITY.md: Under sustained concurrent load there are no errors and no lost writes"""
    caseload = build_caseload(size=10, clinician_name="load-clinician")
    programs = [
        rx
        for rx in (current_prescription(patient=p) for p in caseload.patients)
        if rx is not None and rx.status == PrescriptionStatus.ACTIVE
    ]
    port = int(live_server.url.rsplit(":", 1)[1])
    reads = [
        reverse("programs:dashboard"),
        reverse("patients:list"),
        caseload.patients[1].get_absolute_url(),
        programs[0].get_absolute_url(),
    ]
    today = timezone.localdate()
    before = SessionLog.objects.count()
    answers: Counter = Counter()
    written: list[str] = []  # the notes of the POSTs answered with a redirect
    failures: list[str] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        session = Session(port, secure=False)
        session.sign_in(caseload.clinician.username, PASSWORD)
        for i in range(REQUESTS_EACH):
            if number % 2:
                path, expected = reads[(number + i) % len(reads)], 200
                status = session.get(path).status
                note = None
            else:
                rx = programs[(number * REQUESTS_EACH + i) % len(programs)]
                path, expected = reverse("programs:log", kwargs={"public_id": rx.public_id}), 302
                note = f"{LOG_NOTE} {number}-{i}"
                status = session.post(path, log_form(today, note)).status
            with lock:
                answers[status] += 1
                if status != expected:
                    failures.append(f"{path} answered {status}")
                elif note:
                    written.append(note)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not failures, failures
    assert sum(answers.values()) == CLIENTS * REQUESTS_EACH
    assert answers[302] == len(written) == CLIENTS // 2 * REQUESTS_EACH
    assert SessionLog.objects.count() - before == len(written)
    notes = Counter(SessionLog.objects.filter(note__startswith=LOG_NOTE).values_list("note", flat=True))
    assert notes == Counter(written), "every accepted log is stored exactly once"
