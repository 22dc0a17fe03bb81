"""Races between two real connections (threads, PostgreSQL): one transaction is held open at the racy moment
while the other arrives, so the order is the worst one every time, not a matter of luck.

Each depends on a lock the services take (``_lock_gate``, ``_lock_program``): without it the second
writer reads the first one's row as it was before and writes over it (checked by removing the lock).
"""

import threading
import time

import pytest
from django.db import connections, transaction

from programs import services
from programs.models import CURRENT_STATUSES, Prescription
from programs.services import PrescriptionError
from tests import factories
from tests.programs.test_program_services import entry, targets_of

HOLD_SECONDS = 0.8

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def race(first, second) -> dict:
    """Run ``first`` in a transaction kept open until ``second``, started meanwhile on its own connection, has
    been kept waiting HOLD_SECONDS; then commit ``first``. Returns what ``second`` returned or raised, and how
    long it took."""
    holding, release, outcome = threading.Event(), threading.Event(), {}

    def hold():
        try:
            with transaction.atomic():
                first()
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    def arrive():
        started = time.monotonic()
        try:
            outcome["result"] = second()
        except PrescriptionError as exc:
            outcome["refused"] = exc.messages
        finally:
            outcome["seconds"] = time.monotonic() - started
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10), "the first writer did not get through"
    contender = threading.Thread(target=arrive)
    contender.start()
    time.sleep(HOLD_SECONDS)
    waiting = contender.is_alive()
    release.set()
    holder.join(10)
    contender.join(10)
    outcome["waited"] = waiting
    return outcome


@pytest.fixture
def colleague(patient):
    """A second clinician on the patient's care team."""
    other = factories.ClinicianFactory(first_name="Colm", last_name="Colleague")
    patient.care_team.add(other)
    return other


def test_two_clinicians_prescribing_at_once_make_one_program(patient, screen, prescribe, clinician, colleague):
    # Each with a screening of their own (two recorded that morning), so only the patient's lock orders them.
    mine, theirs = screen(patient), screen(patient, by=colleague)
    outcome = race(lambda: prescribe(patient, mine), lambda: prescribe(patient, theirs, by=colleague))
    assert outcome["waited"] and outcome["seconds"] >= HOLD_SECONDS
    assert outcome["refused"] == [
        f"{patient.full_name} already has an active or paused program: complete or stop it first."
    ]
    (program,) = Prescription.objects.filter(patient=patient, status__in=CURRENT_STATUSES)
    assert program.prescriber == clinician and program.weeks.count() == program.template.weeks


def test_a_fall_logged_while_the_program_is_saved_leaves_it_paused_on_a_void_screening(
    patient, screen, prescribe, clinician, colleague, patient_user
):
    """The patient logs a fall at home while the therapist saves an adjusted week: the adjustment, read
    before the fall committed, must not write the program back to active."""
    program = prescribe(patient, screen(patient))
    fall = entry(event="fall", note="Lost balance stepping back")
    outcome = race(
        lambda: services.session_log_create(prescription=program, by=patient_user, entry=fall),
        lambda: services.prescription_adjust(
            prescription=program, by=colleague, expected_version=1, weeks=targets_of(program, {2: {"sessions": 2}})
        ),
    )
    assert outcome["waited"]
    assert outcome["refused"][0].startswith("Someone else changed this program meanwhile (by ")
    program.refresh_from_db()
    screening = program.screening
    screening.refresh_from_db()
    assert (program.status, program.version) == ("paused", 2)
    assert screening.voided_at is not None
    assert program.weeks.get(week=2).sessions != 2


def test_two_clinicians_adjusting_the_same_program_one_wins(patient, screen, prescribe, clinician, colleague):
    program = prescribe(patient, screen(patient))
    first = targets_of(program, {2: {"sessions": 2}})
    second = targets_of(program, {2: {"sessions": 4}})
    outcome = race(
        lambda: services.prescription_adjust(prescription=program, by=clinician, expected_version=1, weeks=first),
        lambda: services.prescription_adjust(prescription=program, by=colleague, expected_version=1, weeks=second),
    )
    assert outcome["waited"]
    assert outcome["refused"] == [
        "Someone else changed this program meanwhile (by Cara Treating, version 2): nothing was saved. "
        "Reload the page to see their change."
    ]
    program.refresh_from_db()
    assert program.version == 2 and program.weeks.get(week=2).sessions == 2
