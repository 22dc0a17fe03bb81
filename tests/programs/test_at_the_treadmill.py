"""At the treadmill: the session timer's steps and page, the treadmill card (page and PDF), the stopped-early
mark, and the log sent from the phone's offline store (exactly once, refused with reasons)."""

import json
import uuid
from dataclasses import replace
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import translation

from patients.models import BalanceScreening
from programs import plan
from programs.models import Prescription, SessionLog
from retrowalk.models import AccessRecord
from retrowalk.offline import KEEP, KEEP_HEADER
from retrowalk.services import preferences_update
from tests.conftest import client_for
from tests.programs.test_plan import pdf_text, plan_url
from tests.programs.test_program_services import log_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(patient, screen, prescribe):
    return prescribe(patient, screen(patient), baseline_pain=1)


def _targets(**overrides):
    values = {
        "week": 2,
        "weeks": 6,
        "bouts": 3,
        "bout_minutes": 5,
        "rest_minutes": D("1.5"),
        "speed_kmh": D("2.5"),
        "incline_pct": D("0"),
        "sessions": 3,
        "support": "Handrails within reach",
        "support_key": "rails_reach",
        "note": "",
    }
    return plan.Targets(**{**values, **overrides})


# --- The timer's steps (pure) ---


def test_the_timer_runs_the_warm_up_then_each_walk_with_a_rest_between_and_none_after_the_last():
    steps = plan.timer_steps(_targets())
    assert [(s.kind, s.seconds, s.bout) for s in steps] == [
        ("warm_up", plan.WARM_UP_SECONDS, 0),
        ("walk", 300, 1),
        ("rest", 90, 0),
        ("walk", 300, 2),
        ("rest", 90, 0),
        ("walk", 300, 3),
    ]
    assert [s.title for s in steps[1:4]] == ["Walk backward: 1 of 3", "Rest", "Walk backward: 2 of 3"]
    assert steps[1].say == "Walk backward now. Walk 1 of 3, 5 minutes."


def test_one_walk_has_no_rest_and_a_zero_rest_is_left_out():
    assert [s.kind for s in plan.timer_steps(_targets(bouts=1))] == ["warm_up", "walk"]
    no_rest = plan.timer_steps(_targets(bouts=2, rest_minutes=D("0")), warm_up=False)
    assert [(s.kind, s.bout) for s in no_rest] == [("walk", 1), ("walk", 2)]
    one_minute = plan.timer_steps(replace(_targets(), bouts=1, bout_minutes=1))
    assert one_minute[1].say == "Walk backward now. Walk 1 of 1, 1 minute."


def test_the_timer_speaks_the_reader_s_language():
    with translation.override("es"):
        steps = plan.timer_steps(_targets())
    assert steps[1].title == "Camine hacia atrás: 1 de 3"
    assert steps[2].title == "Descanso"


# --- The timer page ---


def test_the_timer_page_lists_the_week_s_steps_with_the_dose_and_may_be_kept_offline(patient_client, program):
    week = program.weeks.get(week=1)
    response = patient_client.get(plan_url("timer", program))
    page = response.content.decode()
    assert response.status_code == 200 and response[KEEP_HEADER] == KEEP
    assert "BACKWARD" in page and "Stop now" in page and 'aria-live="assertive"' in page
    walks = page.count('data-kind="walk"')
    assert walks == week.bouts
    assert page.count('data-kind="rest"') == week.bouts - 1
    assert f'data-seconds="{week.bout_minutes * 60}"' in page
    assert f"{week.speed_kmh} km/h" in page
    assert reverse("programs:log", kwargs={"public_id": program.public_id}) in page
    assert "<script>" not in page  # static files only: the CSP allows no inline script
    record = AccessRecord.objects.get(object_public_id=program.public_id)
    assert record.action == "plan_viewed"


def test_a_clinician_times_a_clinic_session_and_the_page_is_never_kept(clinician_client, program, clinician):
    response = clinician_client.get(plan_url("timer", program))
    assert response.status_code == 200 and KEEP_HEADER not in response
    assert "Back to the program" in response.content.decode()
    assert AccessRecord.objects.get(user=clinician).action == "program_viewed"


def test_a_paused_program_has_no_timer_and_says_why(patient_client, program, clinician):
    from programs.services import prescription_pause

    prescription_pause(prescription=program, by=clinician, expected_version=program.version, reason="Knee swelling")
    page = patient_client.get(plan_url("timer", program)).content.decode()
    assert "Your program is paused" in page and "Knee swelling" in page
    assert "data-step" not in page and "session_timer.js" not in page


def test_the_timer_shows_the_speed_in_the_user_s_unit(patient_client, patient_user, program):
    preferences_update(user=patient_user, speed_unit="mph", language="")
    page = patient_client.get(plan_url("timer", program)).content.decode()
    assert " mph" in page and "km/h</dd>" not in page


# --- The treadmill card ---


def test_the_card_has_the_dose_in_both_units_the_protection_the_stop_rules_and_a_qr_code(patient_client, program):
    week = program.weeks.get(week=1)
    response = patient_client.get(plan_url("card", program))
    page = response.content.decode()
    assert response.status_code == 200 and response[KEEP_HEADER] == KEEP
    assert "BACKWARD" in page and "Clip on the safety key before the belt starts." in page
    assert f"{week.speed_kmh} km/h" in page and " mph" in page
    assert f"{week.bouts} × {week.bout_minutes} min" in page
    assert "Who must be there:" in page and "Someone who can stop the belt stays close by." in page
    for rule in plan.STOP_RULES[:5]:
        assert str(rule) in page
    assert "<svg" in page and 'aria-label="QR code that opens the session log"' in page
    assert "Pat Own" not in page  # no name on a card that may stay in a gym


def test_the_card_pdf_is_one_half_sheet_with_the_dose_and_the_stop_rules(patient_client, program):
    week = program.weeks.get(week=1)
    sizes = {}
    for paper in ("a4", "letter"):
        response = patient_client.get(plan_url("card_pdf", program, paper=paper))
        assert response["Content-Type"] == "application/pdf"
        reader, text = pdf_text(response.content)
        assert len(reader.pages) == 1
        box = reader.pages[0].mediabox
        sizes[paper] = (round(float(box.width)), round(float(box.height)))
        assert "BACKWARD" in text and f"{week.bouts} × {week.bout_minutes} min" in text
        assert "chest pain or pressure" in text and "joint pain rising above 5 out of 10" in text
    assert sizes == {"a4": (420, 595), "letter": (396, 612)}  # A5 and half US Letter, in points
    assert AccessRecord.objects.filter(action="plan_pdf").count() == 2


def test_a_spanish_speaking_patient_s_card_is_in_spanish_even_printed_by_an_english_clinician(
    clinician_client, patient_user, program
):
    preferences_update(user=patient_user, speed_unit="kmh", language="es")
    page = clinician_client.get(plan_url("card", program)).content.decode()
    assert '<html lang="es"' in page and "HACIA ATRÁS" in page and "dolor o presión en el pecho" in page
    reader, text = pdf_text(clinician_client.get(plan_url("card_pdf", program, paper="a4")).content)
    assert len(reader.pages) == 1 and "HACIA ATRÁS" in text


def test_the_longest_card_full_protection_in_spanish_still_fits_one_half_sheet(
    clinician_client, patient_user, patient, screen, prescribe
):
    from tests.conftest import FULL_PROTECTION

    preferences_update(user=patient_user, speed_unit="mph", language="es")
    program = prescribe(patient, screen(patient, "cleared_protected"), protection=FULL_PROTECTION, baseline_pain=1)
    for paper in ("a4", "letter"):
        reader, text = pdf_text(clinician_client.get(plan_url("card_pdf", program, paper=paper)).content)
        assert len(reader.pages) == 1, paper
        assert "arnés" in text and "Solo en la clínica" in text and "impresa el" in text, paper


def test_a_stopped_program_s_card_says_so_and_has_no_dose_or_qr_code(patient_client, program, clinician):
    from programs.services import prescription_stop

    prescription_stop(prescription=program, by=clinician, expected_version=program.version, reason="Moved away")
    page = patient_client.get(plan_url("card", program)).content.decode()
    assert "This program was stopped" in page and "<svg" not in page and "Speed" not in page


# --- Stopped early ---


def test_a_log_marked_stopped_early_is_saved_so(patient_client, program):
    response = patient_client.post(plan_url("log", program), log_post(minutes="4", stopped_early="on"))
    assert response.status_code == 302
    log = SessionLog.objects.get(prescription=program)
    assert log.stopped_early is True and log.minutes == 4


def test_the_log_form_carries_the_stop_rules_for_an_early_stop(patient_client, program):
    page = patient_client.get(plan_url("log", program)).content.decode()
    assert "data-stop-rules hidden" in page and "chest pain or pressure" in page
    assert 'name="stopped_early"' in page and "session_log_form.js" in page


# --- A log sent from the phone's offline store ---


def _sync(client, program, **fields):
    return client.post(plan_url("log_sync", program), log_post(**fields))


def test_a_log_from_the_phone_is_saved_once_however_often_it_is_sent(patient_client, program):
    submission = str(uuid.uuid4())
    first = _sync(patient_client, program, submission=submission)
    assert first.status_code == 201
    assert json.loads(first.content) == {"result": "saved", "message": f"Session of {_today()} logged."}
    again = _sync(patient_client, program, submission=submission)
    assert again.status_code == 200 and json.loads(again.content)["result"] == "already_saved"
    log = SessionLog.objects.get(prescription=program)
    assert str(log.public_id) == submission and log.setting == "home"
    other = _sync(patient_client, program, submission=str(uuid.uuid4()))
    assert other.status_code == 201 and SessionLog.objects.filter(prescription=program).count() == 2


def _today():
    from django.utils import timezone
    from django.utils.formats import date_format

    return date_format(timezone.localdate(), "DATE_FORMAT")


def test_a_log_that_arrives_after_the_program_was_paused_is_refused_with_the_reason(patient_client, program, clinician):
    from programs.services import prescription_pause

    prescription_pause(prescription=program, by=clinician, expected_version=program.version, reason="Knee swelling")
    response = _sync(patient_client, program, submission=str(uuid.uuid4()))
    assert response.status_code == 409
    answer = json.loads(response.content)
    assert answer["result"] == "refused" and "paused (Knee swelling)" in answer["reasons"][0]
    assert not SessionLog.objects.exists()


def test_a_log_with_bad_values_is_refused_with_each_field_s_reason_and_saves_nothing(patient_client, program):
    response = _sync(patient_client, program, submission=str(uuid.uuid4()), pain_after="11", effort="")
    assert response.status_code == 400
    reasons = json.loads(response.content)["reasons"]
    assert any(r.startswith("Pain after (0–10):") for r in reasons)
    assert any(r.startswith("Effort (Borg 6–20):") for r in reasons)
    assert not SessionLog.objects.exists()
    no_id = _sync(patient_client, program)
    assert no_id.status_code == 400 and "no id" in json.loads(no_id.content)["reasons"][0]


def test_a_fall_logged_offline_pauses_the_program_and_voids_the_screening_when_it_arrives(patient_client, program):
    submission = str(uuid.uuid4())
    response = _sync(patient_client, program, submission=submission, event="fall")
    assert response.status_code == 201 and "paused" in json.loads(response.content)["message"]
    program.refresh_from_db()
    assert program.status == Prescription.Status.PAUSED
    assert not BalanceScreening.objects.filter(patient=program.patient, voided_at__isnull=True).exists()
    # Sent again (the answer was lost): already saved, not refused although the program is now paused.
    again = _sync(patient_client, program, submission=submission, event="fall")
    assert json.loads(again.content)["result"] == "already_saved"
    assert SessionLog.objects.count() == 1


def test_nobody_else_can_send_into_the_program_and_an_id_is_never_taken_over(
    program, other_patient_user, other_clinician, patient_client
):
    submission = str(uuid.uuid4())
    for user in (other_patient_user, other_clinician):
        assert _sync(client_for(user), program, submission=submission).status_code == 404
    assert _sync(patient_client, program, submission=submission).status_code == 201
    assert not SessionLog.objects.exclude(public_id=submission).exists()


# --- The installable web app ---


def test_the_service_worker_is_served_at_the_root_for_everyone_and_keeps_only_marked_pages(client):
    response = client.get("/sw.js")
    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    assert "Retrowalk\\u002DOffline" in body and "importScripts(" in body and "{%" not in body
    assert '"/offline/"' in body


def test_every_file_the_worker_keeps_at_install_exists_or_it_would_never_install():
    from django.contrib.staticfiles import finders

    from retrowalk.offline import FILES

    assert [path for path in FILES if not finders.find(path)] == []


def test_the_manifest_names_the_plan_and_its_icons_exist(client):
    from django.contrib.staticfiles import finders

    response = client.get(reverse("web_manifest"))
    manifest = json.loads(response.content)
    assert response["Content-Type"] == "application/manifest+json"
    assert manifest["start_url"] == reverse("programs:my_plan") and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}


def test_only_a_patient_s_pages_link_the_manifest_and_name_their_owner(patient_client, clinician_client, program):
    plan_page = patient_client.get(reverse("programs:my_plan")).content.decode()
    assert 'rel="manifest"' in plan_page and 'data-owner="' in plan_page and 'data-owner=""' not in plan_page
    chart = clinician_client.get(program.get_absolute_url())
    assert 'rel="manifest"' not in chart.content.decode() and 'data-owner=""' in chart.content.decode()
    assert KEEP_HEADER not in chart


def test_signing_out_asks_the_browser_to_delete_what_it_kept(patient_client):
    response = patient_client.post(reverse("logout"))
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert "_auth_user_id" not in patient_client.session
