"""The patient's journey in a real browser: invitation link to a downloaded PDF, on a desktop and a phone.

The clinician makes the invitation through the chart, as in the clinic, and the
patient (another browser context, so other cookies) opens the link.
"""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from patients.models import PortalInvitation
from programs.models import SessionLog
from tests.e2e.conftest import ARTIFACTS, PHONE, check_page, fill_session_log, no_horizontal_scroll, screenshot
from tests.e2e.test_clinician_journey import sign_in
from tests.factories import PatientFactory

NEW_PASSWORD = "three green herons at dusk"


@pytest.fixture
def invited(clinician, screen, prescribe, new_page):
    """A knee-OA patient with a program, and the one-time link the clinician got for her."""
    patient = PatientFactory(care_team=[clinician], first_name="Greta", last_name="Nilsson", record_number="RW-7001")
    program = prescribe(patient, screen(patient))
    page = new_page()
    sign_in(page, clinician.username)
    page.goto(patient.get_absolute_url())
    page.get_by_role("button", name="Invite to the portal").click()
    link = page.get_by_label("Set-password link").input_value()
    username = PortalInvitation.objects.get(patient=patient).user.username
    expect(page.get_by_text(username, exact=True)).to_be_visible()
    check_page(page, "patient-00-clinician-invitation-link")
    page.context.close()
    return patient, program, link, username


def set_password_and_sign_in(page, link: str, username: str, *, checked: bool, prefix: str) -> None:
    page.goto(link)
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Set your password")).to_be_visible()
    expect(page.get_by_text(f"Your username: {username}")).to_be_visible()
    if checked:
        check_page(page, f"{prefix}-01-set-password")
    page.get_by_label(re.compile(r"^\s*New password\W*$")).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    page.wait_for_load_state()
    if "/accounts/login/" in page.url:
        if checked:
            check_page(page, f"{prefix}-02-login")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
    expect(page.get_by_role("heading", name="My walking plan")).to_be_visible()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_patient_sets_a_password_sees_today_logs_prints_and_downloads_the_pdf(invited, new_page):
    patient, program, link, username = invited
    page = new_page()
    set_password_and_sign_in(page, link, username, checked=True, prefix="patient")
    patient.refresh_from_db()
    assert patient.user.username == username
    assert patient.user.check_password(NEW_PASSWORD)

    # Today's session first, with the week's targets.
    today = page.get_by_role("region", name="Today's session")
    expect(today).to_be_visible()
    expect(today).to_contain_text("0 of 3 sessions done this week.")
    check_page(page, "patient-03-my-plan")

    # Log a session.
    today.get_by_role("link", name="Log a session").click()
    fill_session_log(
        page, minutes="20", pain=("2", "3"), effort="12", rails="One hand on a rail", event="No fall or near fall"
    )
    check_page(page, "patient-04-log-session")
    page.get_by_role("button", name="Save the session").click()
    page.wait_for_load_state()
    log = SessionLog.objects.get(prescription=program)
    assert (log.minutes, log.pain_before, log.pain_after, log.effort, log.event) == (20, 2, 3, 12, "none")
    assert log.entered_by_id == patient.user_id
    expect(page.get_by_role("region", name="Your next session")).to_contain_text("Today's session is logged")
    check_page(page, "patient-05-my-plan-logged")

    # Print: the print stylesheet shows the plan alone, black on white.
    page.get_by_role("link", name="Print").click()
    page.wait_for_load_state()
    check_page(page, "patient-06-print-view-screen")
    page.emulate_media(media="print")
    screenshot(page, "patient-07-print-view-print-media")
    printed = page.evaluate(
        """() => {
            const visible = (sel) => [...document.querySelectorAll(sel)].some(e => e.offsetParent !== null);
            const body = getComputedStyle(document.body);
            return {
                nav: visible('header nav, nav.navbar'),
                buttons: visible('main .btn, main button'),
                footer: visible('footer'),
                color: body.color,
                background: body.backgroundColor,
                fontSize: parseFloat(body.fontSize),
                heading: document.querySelector('main h1').innerText,
                weeks: document.querySelectorAll('main table tbody tr').length,
            };
        }"""
    )
    assert printed["nav"] is False and printed["buttons"] is False and printed["footer"] is False, printed
    assert printed["color"] == "rgb(0, 0, 0)", printed
    assert printed["background"] in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), printed
    # Large type: 11.5 pt DejaVu Sans for the body (plan.css), above the usual 10 pt of a printed form.
    assert printed["fontSize"] >= 15, printed
    assert "Greta Nilsson" in printed["heading"], printed
    assert printed["weeks"] >= 6, printed
    # Chromium's own print: the plan fits on two A4 pages and two US Letter pages (plan.css).
    for paper in ("A4", "Letter"):
        printed_pdf = PdfReader(io.BytesIO(page.pdf(format=paper)))
        assert 1 <= len(printed_pdf.pages) <= 2, (paper, len(printed_pdf.pages))
    assert "Greta Nilsson" in printed_pdf.pages[0].extract_text()
    page.emulate_media(media="screen")

    # Download the PDF from my plan.
    page.goto("/my-plan/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"retrowalk-plan-{program.start_date:%Y-%m-%d}-a4.pdf"
    download.save_as(ARTIFACTS / "patient-08-plan.pdf")
    data = download.path().read_bytes()
    assert data.startswith(b"%PDF-")
    pdf = PdfReader(io.BytesIO(data))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "Greta Nilsson" in text
    assert "Stop" in text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_a_phone_no_patient_page_scrolls_sideways(invited, new_page):
    _patient, program, link, username = invited
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page.goto(link)
    page.wait_for_load_state()
    no_horizontal_scroll(page, "phone set password")
    set_password_and_sign_in(page, link, username, checked=False, prefix="phone")
    for name, path in (
        ("phone-01-my-plan", "/my-plan/"),
        ("phone-02-log-session", f"/programs/{program.public_id}/log/"),
        ("phone-03-print-view", f"/plans/{program.public_id}/print/"),
        ("phone-04-preferences", "/accounts/preferences/"),
        ("phone-05-password-change", "/accounts/password-change/"),
    ):
        page.goto(path)
        page.wait_for_load_state()
        no_horizontal_scroll(page, name)
        check_page(page, name)
    # The menu collapses behind a button that opens it.
    page.goto("/my-plan/")
    menu = page.get_by_role("button", name="Show menu")
    expect(menu).to_be_visible()
    menu.click()
    expect(page.get_by_role("link", name="Sign out").or_(page.get_by_role("button", name="Sign out"))).to_be_visible()
    no_horizontal_scroll(page, "phone menu open")
    screenshot(page, "phone-06-menu-open")
