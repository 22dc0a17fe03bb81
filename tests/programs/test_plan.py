"""The patient's plan: the page, the printable page and the PDF (issue: portal, print, PDF)."""

import io
import uuid
from datetime import timedelta
from decimal import Decimal as D
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from programs import documents, plan, services
from retrowalk.services import preferences_update
from tests import factories
from tests.conftest import client_for
from tests.programs.conftest import FULL_PROTECTION
from tests.programs.test_program_services import entry

TODAY = timezone.localdate


def pdf_text(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(text.split())


def plan_url(name, prescription, **query):
    url = reverse(f"programs:{name}", kwargs={"public_id": prescription.public_id})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def program(patient, screen, prescribe):
    return prescribe(patient, screen(patient), baseline_pain=1)


# --- What the plan says (pure) ---


def _rx(**overrides):
    values = {
        "status": "active",
        "start_date": TODAY() - timedelta(days=10),
        "week_started_on": TODAY() - timedelta(days=3),
        "current_week": 2,
        "pause_reason": "",
        "ended_on": None,
        "template": SimpleNamespace(warm_up="Walk forward slowly."),
        "harness": False,
        "both_rails": False,
        "therapist_sets_speed": False,
        "one_to_one": False,
        "clinic_only": False,
    }
    values.update(overrides)
    return SimpleNamespace(**values)


WEEK = SimpleNamespace(
    week=2,
    bouts=3,
    bout_minutes=5,
    rest_minutes=D("1.0"),
    speed_kmh=D("2.2"),
    incline_pct=D("0.0"),
    sessions=3,
    support="rails_available",
    note="",
    get_support_display=lambda: "Handrails within reach",
)


def _log(days_ago, minutes=10):
    return SimpleNamespace(session_date=TODAY() - timedelta(days=days_ago), minutes=minutes)


def _next(rx, logs=(), child=False):
    return plan.next_session(prescription=rx, week_row=WEEK, weeks=6, logs=list(logs), today=TODAY(), child=child)


def test_today_s_session_counts_the_sessions_done_since_the_week_took_effect():
    card = _next(_rx(), [_log(2), _log(5)])  # the log 5 days ago is from the week before
    assert card.heading == "Today's session"
    assert card.lines == ("1 of 3 sessions done this week.",)
    assert card.targets.minutes == 15 and card.targets.speed_kmh == D("2.2")
    assert card.warm_up == "Walk forward slowly."
    assert card.can_log


def test_when_the_week_s_sessions_are_done_the_plan_points_to_the_next_block():
    rx = _rx()
    card = _next(rx, [_log(0), _log(1), _log(2)])
    assert card.heading == "Your next session"
    assert "This week's 3 sessions are done." in card.lines
    assert f"{rx.week_started_on + timedelta(days=7):%A %-d %b %Y}" in card.lines[1]


def test_a_session_already_logged_today_moves_the_card_on():
    card = _next(_rx(), [_log(0)])
    assert card.heading == "Your next session"
    assert card.lines == ("Today's session is logged: 1 of 3 done this week.",)


def test_a_program_starting_later_shows_its_first_day():
    rx = _rx(start_date=TODAY() + timedelta(days=4), week_started_on=TODAY() + timedelta(days=4))
    card = _next(rx)
    assert card.heading == "Your first session"
    assert f"{rx.start_date:%A %-d %b %Y}" in card.lines[0]


@pytest.mark.parametrize(
    ("status", "heading", "says"),
    [
        ("paused", "Your program is paused", "Do not walk backward on a treadmill until your therapist restarts"),
        ("stopped", "This program was stopped", "Talk to your therapist before you walk backward"),
        ("completed", "You have finished this program", "Well done"),
        ("draft", "Your plan is not ready yet", "still preparing"),
    ],
)
def test_a_program_that_is_not_running_says_so_and_offers_no_session(status, heading, says):
    card = _next(_rx(status=status, pause_reason="Near fall reported", ended_on=TODAY()))
    assert card.heading == heading
    assert card.targets is None and not card.can_log
    assert any(says in line for line in card.lines)


def test_protected_mode_puts_the_therapist_beside_the_patient_in_the_clinic():
    rx = _rx(**dict.fromkeys(("harness", "both_rails", "therapist_sets_speed", "one_to_one", "clinic_only"), True))
    card = _next(rx)
    assert card.present == (
        "In the clinic only, never at home or in a gym.",
        "Your therapist stays beside you, one-to-one, for the whole session.",
    )
    assert "Wear the overhead harness; your therapist fits it before the belt starts." in card.support
    assert "Only your therapist sets or changes the speed." in card.support


def test_nobody_walks_backward_alone_and_a_child_has_an_adult_beside_them():
    assert "Do not walk backward on a treadmill alone." in _next(_rx()).present[0]
    assert _next(_rx(), child=True).present[0].startswith("An adult who knows this plan")


def test_the_stop_rules_are_clinical_md_section_6_in_full():
    # CLINICAL.md s6 [G4]: every trigger, for the patient and for clinic staff.
    text = " ".join(map(str, plan.STOP_RULES))
    for trigger in (
        "chest pain",
        "dizziness",
        "shortness of breath",
        "balance",
        "above 5 out of 10",
        "leg cramps",
        "want",
    ):
        assert trigger in text or (trigger == "want" and "wish to stop" in text)
    assert "10 mmHg" in str(plan.STOP_RULES_STAFF) and "250/115" in str(plan.STOP_RULES_STAFF)


# --- The plan page ---


@pytest.mark.django_db
def test_the_patient_sees_today_s_session_first_then_the_stop_rules_weeks_and_chart(patient_client, program):
    response = patient_client.get(reverse("programs:my_plan"))
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    order = [html.index(s) for s in ("Today's session", "When to stop", "Every week", "Your progress")]
    assert order == sorted(order)
    week1 = program.weeks.get(week=1)
    assert f"Walk backward {week1.bouts} × {week1.bout_minutes} minutes" in html
    assert "2.0 km/h" in html
    assert "Clip the safety key to your clothes before the belt starts" in html
    assert 'class="plan-now" aria-current="true"' in html
    assert html.count("<tr") >= program.weeks.count()
    assert 'role="img"' in html  # the progress chart
    assert plan_url("log", program) in html
    assert plan_url("plan_print", program) in html and plan_url("plan_pdf", program, paper="a4") in html


@pytest.mark.django_db
def test_a_patient_without_a_program_is_told_so(patient_client, patient):
    response = patient_client.get(reverse("programs:my_plan"))
    assert "Your therapist has not given you a walking plan yet." in response.content.decode()


@pytest.mark.django_db
def test_a_home_log_from_the_plan_page_moves_today_s_session_on(patient_client, program):
    from tests.programs.test_program_services import log_post

    response = patient_client.post(plan_url("log", program), log_post())
    assert response.status_code == 302 and response["Location"] == reverse("programs:my_plan")
    assert program.logs.get().setting == "home"
    html = patient_client.get(reverse("programs:my_plan")).content.decode()
    assert "Today&#x27;s session is logged: 1 of 3 done this week." in html


@pytest.mark.django_db
def test_a_paused_program_tells_the_patient_not_to_walk(patient_client, program, clinician):
    services.session_log_create(prescription=program, by=clinician, entry=entry(event="near_fall"))
    html = patient_client.get(reverse("programs:my_plan")).content.decode()
    assert "Your program is paused" in html
    assert "Do not walk backward on a treadmill until your therapist restarts your program." in html
    assert plan_url("log", program) not in html


@pytest.mark.django_db
def test_the_plan_speaks_the_patient_s_unit_even_when_the_clinician_prints_it(
    patient_client, clinician_client, program, patient_user
):
    preferences_update(user=patient_user, speed_unit="mph")
    for client in (patient_client, clinician_client):
        html = client.get(plan_url("plan_print", program)).content.decode()
        assert "1.2 mph" in html and "Speed (mph)" in html and "2.0 km/h" not in html


# --- Print and PDF ---


@pytest.mark.django_db
def test_the_printable_page_carries_the_print_stylesheet(patient_client, program):
    html = patient_client.get(plan_url("plan_print", program)).content.decode()
    assert '<link rel="stylesheet" href="/static/css/plan.css">' in html
    assert "data-print" in html and "/static/js/plan_print.js" in html
    css = Path(finders.find("css/plan.css")).read_text()
    assert "@page" in css and "@media print" in css and ".no-print { display: none" in css
    # Every other page prints without navigation too.
    assert (
        'href="/static/css/print.css" media="print"' in patient_client.get(reverse("programs:my_plan")).content.decode()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("paper", "points"), [("a4", (595, 842)), ("letter", (612, 792))])
def test_the_pdf_is_a_real_pdf_with_the_week_targets_and_the_stop_rules(patient_client, program, paper, points):
    response = patient_client.get(plan_url("plan_pdf", program, paper=paper))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith('attachment; filename="retrowalk-plan-')
    assert response.content.startswith(b"%PDF-")
    reader, text = pdf_text(response.content)
    width, height = (round(float(v)) for v in reader.pages[0].mediabox.upper_right)
    assert (width, height) == points
    assert "Walking plan for Pat Own" in text
    assert "Cara Treating" in text
    for week in program.weeks.all():
        assert f"{week.bouts} × {week.bout_minutes} min" in text
    for rule in plan.STOP_RULES:
        assert str(rule) in text
    assert str(plan.AFTER_A_FALL) in text
    assert "Session log" in text and "Pain next morning" in text


@pytest.mark.django_db
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_a_twelve_week_plan_prints_on_at_most_two_pages(
    clinician_client, patient, screen, prescribe, twelve_week_template, paper
):
    program = prescribe(patient, screen(patient), template=twelve_week_template)
    assert program.weeks.count() == 12
    response = clinician_client.get(plan_url("plan_pdf", program, paper=paper))
    reader, text = pdf_text(response.content)
    assert len(reader.pages) <= 2
    assert "Supervised session in the clinic" in text and "12" in text


@pytest.mark.django_db
def test_names_with_markup_are_text_on_the_page_and_in_the_pdf(clinician, screen, prescribe, patient_user):
    """SECURITY.md: Names and notes are escaped everywhere, the PDF included"""
    patient = factories.PatientFactory(
        care_team=[clinician], user=patient_user, first_name="<script>alert(1)</script>", last_name="<b>Bold</b>"
    )
    program = prescribe(patient, screen(patient))
    client = client_for(patient_user)
    html = client.get(plan_url("plan_print", program)).content.decode()
    assert "<script>alert(1)</script>" not in html and "<b>Bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    _, text = pdf_text(client.get(plan_url("plan_pdf", program)).content)
    assert "<script>alert(1)</script> <b>Bold</b>" in text


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["plan_print", "plan_pdf"])
def test_only_the_patient_and_their_care_team_reach_the_plan(
    name, program, patient_client, clinician_client, other_clinician_client, admin_client_, other_patient_user
):
    url = plan_url(name, program)
    assert patient_client.get(url).status_code == 200
    assert clinician_client.get(url).status_code == 200
    for client in (other_clinician_client, admin_client_, client_for(other_patient_user)):
        assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_another_patient_s_plan_never_shows_on_my_plan(
    patient_client, other_patient, screen, prescribe, other_clinician
):
    prescribe(other_patient, screen(other_patient, by=other_clinician), by=other_clinician)
    html = patient_client.get(reverse("programs:my_plan")).content.decode()
    assert "Sam Else" not in html and "not given you a walking plan yet" in html


@pytest.mark.django_db
def test_an_unknown_paper_size_falls_back_to_the_patient_s_own(patient_client, program, patient_user):
    preferences_update(user=patient_user, speed_unit="mph")
    reader, _ = pdf_text(patient_client.get(plan_url("plan_pdf", program, paper="../../etc")).content)
    assert round(float(reader.pages[0].mediabox.upper_right[1])) == 792  # US Letter for an mph user


# --- The PDF fetches nothing but our static files (SECURITY.md "Browser protections") ---


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.css",
        "file:///etc/passwd",
        "https://retrowalk.invalid/etc/passwd",
        "https://retrowalk.invalid/static/../../retrowalk/settings.py",
        "https://retrowalk.invalid/static/%2e%2e/%2e%2e/retrowalk/settings.py",
        "https://retrowalk.invalid/static//etc/passwd",
        "https://retrowalk.invalid/static/css/missing.css",
    ],
)
def test_the_pdf_fetcher_refuses_anything_but_the_app_s_static_files(url):
    """SECURITY.md: The PDF renderer fetches nothing but the app's own static files"""
    with pytest.raises(documents.StaticFileRefused):
        documents.static_file_for(url)


def test_the_pdf_fetcher_serves_the_plan_stylesheet():
    path = documents.static_file_for("https://retrowalk.invalid/static/css/plan.css")
    assert path.read_text().startswith("/* The printable plan")


def test_a_pdf_asking_for_outside_files_renders_without_them(caplog):
    html = (
        '<link rel="stylesheet" href="http://example.com/evil.css">'
        '<img src="file:///etc/passwd" alt="x"><p>Plan body</p>'
    )
    with caplog.at_level("WARNING", logger="weasyprint"):
        content = documents.render_pdf(html, paper="a4")
    _, text = pdf_text(content)
    assert "Plan body" in text and "root:" not in text
    refused = " ".join(r.getMessage() for r in caplog.records)
    assert "example.com" in refused and "/etc/passwd" in refused


@pytest.mark.django_db
def test_the_protected_plan_names_the_therapist_and_the_harness(
    clinician_client, patient, screen, prescribe, patient_client
):
    program = prescribe(patient, screen(patient, "cleared_protected"), protection=FULL_PROTECTION)
    _, text = pdf_text(patient_client.get(plan_url("plan_pdf", program)).content)
    assert "Your therapist stays beside you, one-to-one, for the whole session." in text
    assert "Wear the overhead harness" in text


@pytest.fixture
def layouts(monkeypatch):
    """The papers WeasyPrint laid a document out on, in order (each layout still runs)."""
    made = []
    write = documents._write_pdf

    def counted(html, *, size):
        made.append(size)
        return write(html, size=size)

    monkeypatch.setattr(documents, "_write_pdf", counted)
    return made


def test_the_same_page_and_paper_give_the_stored_pdf_and_any_change_a_new_one(production_caches, layouts):
    page = f"<p>Plan body {uuid.uuid4()}</p>"
    first = documents.render_pdf(page, paper="a4")
    assert documents.render_pdf(page, paper="a4") == first
    assert layouts == ["A4"]  # not laid out again
    letter = documents.render_pdf(page, paper="letter")
    widths = {round(float(PdfReader(io.BytesIO(c)).pages[0].mediabox.width)) for c in (first, letter)}
    assert widths == {595, 612}  # A4 and US Letter, in points
    changed = documents.render_pdf(page.replace("Plan body", "Changed plan"), paper="a4")
    assert changed != first and "Changed plan" in pdf_text(changed)[1]
    assert layouts == ["A4", "letter", "A4"]


def test_without_a_cache_every_pdf_is_laid_out_again(settings, layouts):
    settings.CACHES = {
        name: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"} for name in ("default", "documents")
    }
    page = f"<p>Plan body {uuid.uuid4()}</p>"
    first = documents.render_pdf(page, paper="a4")
    again = documents.render_pdf(page, paper="a4")
    assert pdf_text(again)[1] == pdf_text(first)[1]
    assert layouts == ["A4", "A4"]


@pytest.mark.django_db
def test_printing_the_same_plan_twice_gives_the_same_pdf_and_records_both(
    production_caches, patient, screen, prescribe, patient_client
):
    from retrowalk.models import AccessAction, AccessRecord

    program = prescribe(patient, screen(patient))
    first = patient_client.get(plan_url("plan_pdf", program, paper="a4"))
    again = patient_client.get(plan_url("plan_pdf", program, paper="a4"))
    assert first.content == again.content and first.content.startswith(b"%PDF-")
    assert AccessRecord.objects.filter(action=AccessAction.PLAN_PDF, object_public_id=program.public_id).count() == 2
    # A logged session changes the plan, so the next PDF is a new one showing it.
    services.session_log_create(prescription=program, by=patient.user, entry=entry())
    after = patient_client.get(plan_url("plan_pdf", program, paper="a4"))
    assert after.content != first.content
