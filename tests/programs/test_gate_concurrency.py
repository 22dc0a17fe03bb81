"""The gate under concurrency and time: a screening voided while a prescription is
being saved cannot slip through; expiry follows the clinic's calendar."""

import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from patients.services import screening_void
from programs.models import Prescription
from programs.services import PrescriptionError

HOLD_SECONDS = 0.8


@pytest.mark.django_db
def test_prescribing_locks_the_patient_and_the_screening(patient, screen, prescribe, is_postgres):
    """SECURITY.md: The safety gate holds under concurrency"""
    screening = screen(patient)
    with CaptureQueriesContext(connection) as captured:
        prescribe(patient, screening)
    locking = [q["sql"] for q in captured if "FOR UPDATE" in q["sql"]]
    if not is_postgres:
        pytest.skip("SQLite has no row locks (it locks the whole database for the write)")
    assert any('FROM "patients_patient"' in sql for sql in locking), locking
    assert any('FROM "patients_balancescreening"' in sql for sql in locking), locking


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_void_committing_meanwhile_is_waited_for_and_refuses_the_prescription(patient, screen, prescribe, clinician):
    screening = screen(patient)
    voided_and_holding = threading.Event()
    release = threading.Event()
    outcome = {}

    def void_and_hold():
        try:
            with transaction.atomic():
                screening_void(screening=screening, by=clinician, reason="Near fall on the treadmill")
                voided_and_holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    def prescribe_now():
        started = time.monotonic()
        try:
            prescribe(patient, screening)
            outcome["result"] = "saved"
        except PrescriptionError as exc:
            outcome["result"] = exc.messages
        finally:
            outcome["waited"] = time.monotonic() - started
            connections.close_all()

    voider = threading.Thread(target=void_and_hold)
    voider.start()
    assert voided_and_holding.wait(10)
    prescriber = threading.Thread(target=prescribe_now)
    prescriber.start()
    time.sleep(HOLD_SECONDS)
    assert prescriber.is_alive(), "the prescription must wait for the patient lock"
    release.set()
    voider.join(10)
    prescriber.join(10)

    assert outcome["waited"] >= HOLD_SECONDS
    assert "voided after a fall or near fall" in outcome["result"][0]
    assert not Prescription.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_prescription_saved_first_makes_the_void_wait(patient, screen, prescribe, clinician):
    screening = screen(patient)
    holding = threading.Event()
    release = threading.Event()
    waited = {}

    def prescribe_and_hold():
        try:
            with transaction.atomic():
                prescribe(patient, screening)
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    def void_now():
        started = time.monotonic()
        try:
            screening_void(screening=screening, by=clinician, reason="Near fall")
        finally:
            waited["seconds"] = time.monotonic() - started
            connections.close_all()

    first = threading.Thread(target=prescribe_and_hold)
    first.start()
    assert holding.wait(10)
    second = threading.Thread(target=void_now)
    second.start()
    time.sleep(HOLD_SECONDS)
    assert second.is_alive()
    release.set()
    first.join(10)
    second.join(10)
    assert waited["seconds"] >= HOLD_SECONDS
    screening.refresh_from_db()
    assert screening.voided_at is not None
    assert Prescription.objects.count() == 1


@pytest.mark.django_db
def test_a_screening_authorises_prescriptions_for_30_days(patient, screen, prescribe):
    recorded = timezone.localdate()
    screening = screen(patient)
    assert screening.valid_until == recorded + timedelta(days=29)
    with time_machine.travel(recorded + timedelta(days=29, hours=12), tick=False):
        assert timezone.localdate() == screening.valid_until
        prescription = prescribe(patient, screening)
    assert prescription.pk


@pytest.mark.django_db
def test_on_day_31_the_screening_has_expired(patient, screen, prescribe):
    recorded = timezone.localdate()
    screening = screen(patient)
    with time_machine.travel(recorded + timedelta(days=30, hours=12), tick=False):
        with pytest.raises(PrescriptionError) as excinfo:
            prescribe(patient, screening)
        assert not screening.is_valid_for_prescribing()
    assert excinfo.value.messages == [
        f"The screening expired on {screening.valid_until:%d %b %Y}: rescreen before prescribing."
    ]
    assert not Prescription.objects.exists()


@pytest.mark.django_db
def test_the_chart_says_when_the_screening_expired(clinician, patient, screen):
    from django.test import Client

    recorded = timezone.localdate()
    screen(patient)
    client = Client()
    client.force_login(clinician)
    page = client.get(f"/patients/{patient.public_id}/").content.decode()
    assert "valid until" in page
    with time_machine.travel(recorded + timedelta(days=31, hours=12), tick=False):
        client.force_login(clinician)  # a month later, in a new session
        page = client.get(f"/patients/{patient.public_id}/").content.decode()
    assert "expired" in page and "rescreen before prescribing" in page
