"""Outcomes and the record in a real browser: the chart's trends and the program summary at desktop and
phone widths (axe-core, nothing to scroll sideways), and Copy as text putting the summary on the clipboard."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from patients.services import screening_record
from programs import services
from tests.e2e.conftest import PHONE, check_page, no_horizontal_scroll
from tests.e2e.test_clinician_journey import sign_in
from tests.programs.test_program_services import entry

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def program(patient, clinician, prescribe):
    today = timezone.localdate()
    for days_ago, tug, berg in ((40, "12.6", 44), (0, "11.1", 50)):
        screening = screening_record(
            patient=patient,
            by=clinician,
            values={
                "screened_on": today - timedelta(days=days_ago),
                "tug_seconds": D(tug),
                "berg": berg,
                "bp_systolic": 120,
                "bp_diastolic": 80,
            },
        )
    program = prescribe(patient, screening, baseline_pain=1)
    services.session_log_create(prescription=program, by=clinician, entry=entry(pain_before=2, pain_after=3))
    return program


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_clinician_reads_the_trends_and_the_summary_and_copies_it_as_text(
    new_page, patient, program, clinician, viewport
):
    page = new_page(viewport=PHONE if viewport == "phone" else None)
    sign_in(page, clinician.username)
    page.goto(patient.get_absolute_url())
    tug = page.locator("#outcome-tug")
    expect(tug).to_contain_text("beyond measurement error")  # 12.6 → 11.1 s, same rater: 1.5 > 1.10
    expect(tug.locator("svg")).to_be_visible()
    check_page(page, f"outcomes-01-chart-{viewport}")
    no_horizontal_scroll(page, f"outcomes-01-chart-{viewport}")

    page.get_by_role("link", name="Progress summary").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Progress summary")
    check_page(page, f"outcomes-02-summary-{viewport}")
    no_horizontal_scroll(page, f"outcomes-02-summary-{viewport}")

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy", exact=True).click()
    expect(page.locator("[data-copy-status]")).to_have_text("Copied.")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.startswith("Progress summary: backward treadmill walking")
    # The program's baseline is the screening that authorised it: nothing measured since.
    assert "Timed Up and Go: 11.1 s (not reassessed)." in copied
    assert "Mean pain (0–10), first → last week: 3.0 → 3.0." in copied


def test_the_patient_opens_their_own_summary_on_a_phone(new_page, patient, program):
    page = new_page(viewport=PHONE)
    sign_in(page, patient.user.username)
    page.get_by_role("link", name="Your summary").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Progress summary")
    expect(page.get_by_role("button", name="Save the note")).to_have_count(0)
    check_page(page, "outcomes-03-summary-patient-phone")
    no_horizontal_scroll(page, "outcomes-03-summary-patient-phone")
