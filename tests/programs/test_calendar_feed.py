"""The patient's private calendar feed (iCalendar): made and renewed by the patient, read with the address
alone, following the program, and answering 404 once renewed, ended or without a running program."""

import re
from datetime import time
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from patients.portal import portal_access_end
from programs import services
from programs.models import CalendarFeed
from tests.conftest import client_for
from tests.programs.test_program_services import targets_of


def make_address(client) -> str:
    response = client.post(reverse("programs:calendar_renew"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "This address is shown only now." in html
    return re.search(r'value="(http://testserver/calendar/[^"]+\.ics)"', html).group(1)


def events(client, address):
    response = client.get(address.removeprefix("http://testserver"))
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return response.content.decode(), sorted(
        (component.decoded("dtstart"), str(component.get("description"))) for component in calendar.walk("VEVENT")
    )


@pytest.fixture
def program(patient, screen, prescribe):
    return prescribe(patient, screen(patient), baseline_pain=1)


@pytest.mark.django_db
def test_the_patient_s_address_gives_every_planned_session_with_its_dose_and_no_name(patient_user, patient, program):
    address = make_address(client_for(patient_user))
    feed = CalendarFeed.objects.get(patient=patient)
    token = address.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43 and token not in feed.token_digest  # only the digest is kept
    text, sessions = events(client_for(patient_user), address)
    weeks = list(program.weeks.order_by("week"))
    assert len(sessions) == sum(week.sessions for week in weeks)
    first_day, first_description = sessions[0]
    assert first_day == program.start_date
    assert first_description.startswith(
        f"Walk BACKWARD: {weeks[0].bouts} × {weeks[0].bout_minutes} min at {weeks[0].speed_kmh} km/h"
    )
    assert "Clip on the safety key." in first_description
    assert patient.first_name not in text and patient.last_name not in text and patient.record_number not in text
    # Anyone with the address reads it, signed in or not: phone calendars send no login.
    assert events(Client(), address)[1] == sessions


@pytest.mark.django_db
def test_renewing_stops_the_old_address_at_once(patient_user, program):
    client = client_for(patient_user)
    old = make_address(client)
    new = make_address(client)
    assert old != new
    assert client.get(old.removeprefix("http://testserver")).status_code == 404
    assert client.get(new.removeprefix("http://testserver")).status_code == 200
    assert CalendarFeed.objects.count() == 1
    response = client.post(reverse("programs:calendar_stop"))
    assert response.status_code == 302 and not CalendarFeed.objects.exists()
    assert client.get(new.removeprefix("http://testserver")).status_code == 404


@pytest.mark.django_db
def test_the_feed_follows_an_adjusted_week_and_a_pause(patient_user, clinician, program):
    client = client_for(patient_user)
    address = make_address(client)
    services.prescription_adjust(
        prescription=program, by=clinician, expected_version=1, weeks=targets_of(program, {1: {"speed_kmh": D("1.7")}})
    )
    _, sessions = events(client, address)
    assert "1.7 km/h" in sessions[0][1]
    program.refresh_from_db()
    services.prescription_pause(prescription=program, by=clinician, expected_version=program.version, reason="Knee")
    _, paused = events(client, address)
    today = timezone.localdate()
    assert paused == [s for s in sessions if s[0] < today]  # nothing from today on while paused


@pytest.mark.django_db
def test_an_ended_portal_or_program_stops_the_feed(patient_user, patient, clinician, program):
    client = client_for(patient_user)
    address = make_address(client).removeprefix("http://testserver")
    services.prescription_stop(prescription=program, by=clinician, expected_version=program.version, reason="Done")
    assert client.get(address).status_code == 404
    assert client.get(address.replace(".ics", "x.ics")).status_code == 404  # another token


@pytest.mark.django_db
def test_ending_portal_access_stops_the_feed(patient_user, patient, clinician, program):
    address = make_address(client_for(patient_user)).removeprefix("http://testserver")
    portal_access_end(patient=patient, by=clinician)
    assert Client().get(address).status_code == 404


@pytest.mark.django_db
def test_only_a_patient_makes_an_address(clinician_client, admin_client_):
    for client in (clinician_client, admin_client_):
        assert client.post(reverse("programs:calendar_renew")).status_code == 403
    assert not CalendarFeed.objects.exists()


@pytest.mark.django_db
def test_the_plan_page_offers_the_address_and_says_when_it_is_on(patient_user, program):
    client = client_for(patient_user)
    assert "Make a calendar address" in client.get(reverse("programs:my_plan")).content.decode()
    make_address(client)
    page = client.get(reverse("programs:my_plan")).content.decode()
    assert "Your calendar address is on." in page and "Stop the calendar" in page
    assert ".ics" not in page  # the page never shows the address again


@pytest.mark.django_db
def test_the_feed_puts_sessions_on_the_patient_s_chosen_days(patient_user, program):
    client = client_for(patient_user)
    address = make_address(client)
    services.reminder_settings_update(
        user=patient_user, data={"session_reminders": False, "session_time": time(8), "session_days": [2, 4, 6]}
    )
    _, sessions = events(client, address)
    assert {day.isoweekday() for day, _ in sessions} <= {2, 4, 6}
    weeks = list(program.weeks.order_by("week"))
    assert len(sessions) == sum(min(week.sessions, 3) for week in weeks)
