"""Session reminders and the daily digest: due on the right moments in the clinic's time zone (daylight
saving included), only when wanted, sent once by any number of runners, retried then given up, and
switched off by a signed link."""

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from programs import messaging, reminders, services
from programs.models import MessageKind, MessageState, OutgoingMessage, ReminderSettings
from retrowalk.services import preferences_update
from tests import factories
from tests.conftest import client_for
from tests.programs.test_program_services import entry

ZONE = ZoneInfo("Europe/Stockholm")
ROOT = Path(__file__).resolve().parents[2]


def run(at: datetime) -> str:
    out = StringIO()
    call_command("send_reminders", "--at", at.isoformat(), stdout=out)
    return out.getvalue()


def run_every(start: datetime, end: datetime, minutes: int) -> None:
    """Run the command every few minutes, stepping in UTC (so an hour the clocks repeat is run twice)."""
    at = start.astimezone(UTC)
    while at <= end.astimezone(UTC):
        run(at)
        at += timedelta(minutes=minutes)


@pytest.fixture
def stockholm(settings):
    settings.TIME_ZONE = "Europe/Stockholm"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://clinic.example.org"


def program_from(monday, patient, screen, prescribe):
    with time_machine.travel(datetime.combine(monday, time(7), tzinfo=ZONE), tick=False):
        return prescribe(patient, screen(patient), baseline_pain=1)


def reminders_on(user, *, at=time(8), days=(1, 3, 5, 7)):
    user.email = "pat@example.org"
    user.save(update_fields=["email"])
    services.reminder_settings_update(
        user=user, data={"session_reminders": True, "session_time": at, "session_days": list(days)}
    )


def test_a_time_is_due_once_whatever_daylight_saving_does():
    assert reminders.due_at(datetime(2027, 3, 28).date(), time(8), ZONE).isoformat() == "2027-03-28T08:00:00+02:00"
    # 02:30 does not exist on 28 March (02:00 becomes 03:00): due as long after the jump.
    assert reminders.due_at(datetime(2027, 3, 28).date(), time(2, 30), ZONE).isoformat() == "2027-03-28T03:30:00+02:00"
    # 02:30 happens twice on 31 October: due the first time (summer time).
    assert reminders.due_at(datetime(2027, 10, 31).date(), time(2, 30), ZONE).isoformat() == "2027-10-31T02:30:00+02:00"


@pytest.mark.django_db
def test_a_week_of_reminders_on_the_chosen_days_across_the_spring_change(
    stockholm, patient, patient_user, screen, prescribe
):
    monday = datetime(2027, 3, 22).date()  # the clocks go forward on Sunday 28 March
    program_from(monday, patient, screen, prescribe)
    reminders_on(patient_user)
    run_every(datetime.combine(monday, time(0), tzinfo=ZONE), datetime(2027, 3, 28, 23, 45, tzinfo=ZONE), 15)
    sent = OutgoingMessage.objects.filter(state=MessageState.SENT).order_by("day")
    assert [m.day.isoformat() for m in sent] == ["2027-03-22", "2027-03-24", "2027-03-26", "2027-03-28"]
    assert {timezone.localtime(m.due_at, ZONE).time() for m in sent} == {time(8)}
    assert [m.to for m in mail.outbox] == [["pat@example.org"]] * 4
    body = mail.outbox[0].body
    assert "Today is a planned session day" in body and "https://clinic.example.org/my-plan/" in body
    # Email is not a secure channel: no diagnosis, dose or name beyond the greeting.
    for private in (patient.last_name, patient.condition.name, "km/h", patient.record_number):
        assert private not in body and private not in mail.outbox[0].subject
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail.outbox[0].extra_headers["List-Unsubscribe"].startswith("<https://clinic.example.org/unsubscribe/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("monday", "night", "due_utc"),
    [
        ("2027-03-22", "2027-03-28", "2027-03-28T01:30:00+00:00"),  # spring: 02:30 skipped, sent at 03:30
        ("2027-10-25", "2027-10-31", "2027-10-31T00:30:00+00:00"),  # autumn: 02:30 twice, sent the first time
    ],
)
def test_a_reminder_at_a_time_the_clocks_skip_or_repeat_is_sent_once(
    stockholm, patient, patient_user, screen, prescribe, monday, night, due_utc
):
    program_from(datetime.fromisoformat(monday).date(), patient, screen, prescribe)
    reminders_on(patient_user, at=time(2, 30), days=[7])
    day = datetime.fromisoformat(night).date()
    run_every(datetime.combine(day, time(0), tzinfo=ZONE), datetime.combine(day, time(6), tzinfo=ZONE), 5)
    assert len(mail.outbox) == 1
    assert OutgoingMessage.objects.get().due_at == datetime.fromisoformat(due_utc)


@pytest.mark.django_db
def test_no_reminder_for_a_paused_program(stockholm, patient, patient_user, clinician, screen, prescribe):
    monday = datetime(2027, 3, 22).date()
    program = program_from(monday, patient, screen, prescribe)
    reminders_on(patient_user)
    services.prescription_pause(prescription=program, by=clinician, expected_version=program.version, reason="Knee")
    run_every(datetime.combine(monday, time(7), tzinfo=ZONE), datetime.combine(monday, time(9), tzinfo=ZONE), 15)
    assert mail.outbox == [] and not OutgoingMessage.objects.exists()


@pytest.mark.django_db
def test_no_reminder_once_today_s_session_is_logged_nor_hours_late(
    stockholm, patient, patient_user, clinician, screen, prescribe
):
    program = prescribe(patient, screen(patient), baseline_pain=1)  # today, the real one: logs cannot be ahead
    today = timezone.localdate()
    reminders_on(patient_user, days=[today.isoweekday()])
    # Nothing ran all morning: at 10:30 the 08:00 reminder is two and a half hours late, and not sent.
    run(datetime.combine(today, time(10, 30), tzinfo=ZONE))
    assert mail.outbox == [] and not OutgoingMessage.objects.exists()
    services.session_log_create(prescription=program, by=clinician, entry=entry(session_date=today))
    run(datetime.combine(today, time(8, 5), tzinfo=ZONE))
    assert mail.outbox == [] and not OutgoingMessage.objects.exists()


@pytest.mark.django_db
def test_a_reminder_made_before_the_log_is_not_sent_after_it(
    stockholm, patient, patient_user, clinician, screen, prescribe
):
    program = prescribe(patient, screen(patient), baseline_pain=1)
    today = timezone.localdate()
    reminders_on(patient_user, days=[today.isoweekday()])
    due = datetime.combine(today, time(8), tzinfo=ZONE)
    assert messaging.schedule(due) == 1
    services.session_log_create(prescription=program, by=clinician, entry=entry(session_date=today))
    assert messaging.send_due(due + timedelta(minutes=1)) == {"skipped": 1}
    assert mail.outbox == [] and OutgoingMessage.objects.get().state == MessageState.SKIPPED


class RefusingBackend:
    """A mail server that refuses every message (an SMTP outage)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


@pytest.mark.django_db
def test_a_failing_mail_server_is_tried_again_with_back_off_then_given_up(settings, clinician, caplog):
    settings.TIME_ZONE = "Europe/Stockholm"
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    services.reminder_settings_update(user=clinician, data={"digest": True, "digest_time": time(7, 30)})
    due = datetime(2026, 12, 2, 7, 30, tzinfo=ZONE)
    tries = []
    for minutes in range(0, 40):
        at = due + timedelta(minutes=minutes)
        messaging.schedule(at)
        if messaging.send_due(at):
            tries.append(minutes)
    message = OutgoingMessage.objects.get()
    assert tries == [0, 2, 6, 14]  # waits of 2, 4 and 8 minutes, then given up
    assert (message.state, message.attempts, message.last_error) == (MessageState.FAILED, 4, "ConnectionRefusedError")
    given_up = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(given_up) == 1 and f"message {message.pk} (digest) given up after 4 attempts" in given_up[0].getMessage()
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert clinician.email not in logged and clinician.last_name not in logged


@pytest.mark.django_db
def test_the_digest_counts_flags_and_names_no_patient(stockholm, clinician, patient, screen, prescribe):
    prescribe(patient, screen(patient))
    screen(patient, voided=True)  # the latest screening is void: the program's patient is flagged
    services.reminder_settings_update(user=clinician, data={"digest": True, "digest_time": time(7, 30)})
    run(datetime.combine(timezone.localdate(), time(7, 31), tzinfo=ZONE))
    (email,) = mail.outbox
    assert email.subject == "retrowalk: your patients today"
    assert "Screening void: 1" in email.body and "Fall or near fall reported: 0" in email.body
    assert "https://clinic.example.org/dashboard/" in email.body
    assert patient.full_name not in email.body and patient.last_name not in email.body


@pytest.mark.django_db
def test_the_unsubscribe_link_works_without_signing_in_and_refuses_a_tampered_one(client, patient_user):
    reminders_on(patient_user)
    token = messaging.unsubscribe_token(patient_user.pk, MessageKind.SESSION_REMINDER)
    url = reverse("programs:unsubscribe", args=[token])
    tampered = reverse("programs:unsubscribe", args=[token[:-2] + ("AA" if token[-2:] != "AA" else "BB")])
    assert client.post(tampered).status_code == 400
    assert ReminderSettings.objects.get(user=patient_user).session_reminders is True
    page = client.get(url)
    assert page.status_code == 200 and "Stop the session reminder emails?" in page.content.decode()
    assert ReminderSettings.objects.get(user=patient_user).session_reminders is True  # a GET changes nothing
    done = client.post(url)  # the mail client's one-click POST: no session, no CSRF token
    assert done.status_code == 200 and "You will get no more session reminders." in done.content.decode()
    assert ReminderSettings.objects.get(user=patient_user).session_reminders is False


@pytest.mark.django_db
def test_settings_refuse_bad_input_with_field_errors_and_change_nothing(patient_user, patient, screen, prescribe):
    prescribe(patient, screen(patient))
    client = client_for(patient_user)
    page = client.get(reverse("programs:reminders")).content.decode()
    # Suggested from the plan's three sessions a week: Monday, Wednesday and Friday.
    assert re.findall(r'name="session_days" value="(\d)"\s+id="id_session_days_\d" checked', page) == ["1", "3", "5"]
    for data, field, message in (
        (
            {"session_reminders": "on", "session_time": "25:00", "session_days": ["1"]},
            "session_time",
            "Enter a valid time.",
        ),
        ({"session_reminders": "on", "session_time": "08:00"}, "session_days", "Choose at least one session day"),
        (
            {"session_reminders": "on", "session_time": "08:00", "session_days": ["8"]},
            "session_days",
            "Select a valid choice",
        ),
    ):
        response = client.post(reverse("programs:reminders"), data)
        assert response.status_code == 200 and message in response.content.decode()
        assert field in response.context["form"].errors
        assert not ReminderSettings.objects.exists()
    saved = client.post(
        reverse("programs:reminders"), {"session_reminders": "on", "session_time": "18:30", "session_days": ["2", "4"]}
    )
    assert saved.status_code == 302
    setting = ReminderSettings.objects.get(user=patient_user)
    assert (setting.session_reminders, setting.session_time, setting.session_days) == (True, time(18, 30), "24")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runners_at_once_send_each_message_exactly_once(tmp_path):
    """Two send_reminders processes on PostgreSQL at the same moment: SKIP LOCKED gives each message to one."""
    from tests.deployment.conftest import database_url

    users = [factories.ClinicianFactory(email=f"c{i}@example.org") for i in range(40)]
    for user in users:
        services.reminder_settings_update(user=user, data={"digest": True, "digest_time": time(7, 30)})
    at = datetime(2026, 12, 2, 7, 31, tzinfo=ZONE).isoformat()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "RETROWALK_TIME_ZONE": "Europe/Stockholm",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
    }
    runners = []
    for name in ("one", "two"):
        folder = tmp_path / name
        folder.mkdir()
        runners.append(
            subprocess.Popen(  # noqa: S603
                [sys.executable, "manage.py", "send_reminders", "--at", at],
                cwd=ROOT,
                env={**env, "DJANGO_EMAIL_FILE_PATH": str(folder)},
                stdout=subprocess.PIPE,
                text=True,
            )
        )
    outputs = [runner.communicate(timeout=120)[0] for runner in runners]
    assert all(runner.returncode == 0 for runner in runners), outputs
    recipients = [
        line.removeprefix("To: ").strip()
        for path in tmp_path.rglob("*.log")
        for line in path.read_text().splitlines()
        if line.startswith("To: ")
    ]
    assert sorted(recipients) == sorted(user.email for user in users)  # each once, none twice, none missed
    assert OutgoingMessage.objects.filter(state=MessageState.SENT).count() == 40
    assert connection.vendor == "postgresql"


@pytest.mark.django_db
def test_a_reminder_is_in_the_reader_s_language(stockholm, patient, patient_user, screen, prescribe):
    program_from(datetime(2027, 3, 22).date(), patient, screen, prescribe)
    reminders_on(patient_user)
    preferences_update(user=patient_user, speed_unit="kmh", language="es")
    run(datetime(2027, 3, 22, 8, 5, tzinfo=ZONE))
    (email,) = mail.outbox
    assert email.subject == "Hoy es día de sesión"
    assert email.body.startswith("Hola, Pat:") and "Hoy es un día de sesión previsto" in email.body
