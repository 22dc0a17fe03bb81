"""The chart, dashboard and patient list take a fixed number of queries, whatever the data (5 vs 200)."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patients.portal import portal_invite
from patients.services import screening_record
from programs import services
from programs.gate import ProtectionFacts
from programs.models import ProgramTemplate, SessionLog
from tests import factories


def _program(patient, clinician, *, logs: int):
    today = timezone.localdate()
    start = today - timedelta(days=20)
    screening = screening_record(
        patient=patient,
        by=clinician,
        values={"screened_on": start, "berg": 52, "bp_systolic": 120, "bp_diastolic": 80},
    )
    rx = services.prescription_create(
        patient=patient,
        template=ProgramTemplate.objects.get(condition=patient.condition, is_active=True),
        screening=screening,
        by=clinician,
        start_date=start,
        starting_speed_kmh=D("2.0"),
        protection=ProtectionFacts(protected=False),
    )
    SessionLog.objects.bulk_create(
        SessionLog(
            prescription=rx,
            week=1,
            session_date=start + timedelta(days=i % 20),
            setting="home",
            entered_by=clinician,
            minutes=10,
            speed_kmh=D("2.0"),
            pain_before=1,
            pain_after=2 + i % 3,
            effort=11,
            rails="both_hands",
        )
        for i in range(logs)
    )
    return rx


def _count(client, url) -> int:
    # A first request refreshes the session's last-seen stamp (written at most once a minute), so the
    # measured one counts the page's own queries whatever time building the data took.
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def clinic(clinician):
    def build(patients: int, logs: int):
        made = [factories.PatientFactory(care_team=[clinician]) for _ in range(patients)]
        for patient in made:
            _program(patient, clinician, logs=logs)
        return made

    return build


@pytest.mark.django_db
def test_the_dashboard_and_patient_list_do_not_grow_with_patients(clinician_client, clinic):
    clinic(5, 3)
    small = {url: _count(clinician_client, url) for url in (reverse("programs:dashboard"), reverse("patients:list"))}
    clinic(195, 3)
    large = {url: _count(clinician_client, url) for url in small}
    assert large == small
    assert max(small.values()) <= 12


@pytest.mark.django_db
def test_the_chart_does_not_grow_with_logs(clinician_client, clinic):
    few, many = clinic(1, 5)[0], clinic(1, 200)[0]
    assert SessionLog.objects.filter(prescription__patient=many).count() == 200
    small = _count(clinician_client, few.get_absolute_url())
    large = _count(clinician_client, many.get_absolute_url())
    assert large == small
    rx = many.prescriptions.get()
    assert _count(clinician_client, rx.get_absolute_url()) <= small


@pytest.mark.django_db
def test_the_patient_s_plan_and_its_printable_page_do_not_grow_with_logs(clinician, clinic):
    few, many = clinic(1, 5)[0], clinic(1, 200)[0]
    counts = {}
    for patient in (few, many):
        patient.user = factories.PatientUserFactory()
        patient.save()
        client = Client()
        client.force_login(patient.user)
        rx = patient.prescriptions.get()
        counts[patient.pk] = (
            _count(client, reverse("programs:my_plan")),
            _count(client, reverse("programs:plan_print", kwargs={"public_id": rx.public_id})),
        )
    assert counts[few.pk] == counts[many.pk]
    assert max(counts[many.pk]) <= 12


@pytest.mark.django_db
def test_the_chart_reads_as_many_queries_with_a_portal_login_as_without(clinician_client, clinician, clinic):
    without, with_login = clinic(2, 5)
    invitation, _token = portal_invite(patient=with_login, by=clinician, username="pjones", email="p@example.org")
    assert with_login.portal_invitations.get() == invitation
    # The login comes with the patient; its latest link is one query whether there is a login or not.
    assert _count(clinician_client, with_login.get_absolute_url()) == _count(
        clinician_client, without.get_absolute_url()
    )
    page = clinician_client.get(with_login.get_absolute_url()).content.decode()
    assert "Login <strong>pjones</strong> · p@example.org." in page
    assert f"Latest link made {invitation.created_at:%-d %b %Y}: works until" in page
