"""The clinician's journey in a real browser: a stroke patient from first visit to a near fall.

Berg 41 is below the stroke cutoff of 47 (CLINICAL.md, screening cutoffs), so the
screening clears the patient only with protection, and the gate refuses a standard
program until every protective measure is ticked.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from patients.models import BalanceScreening, Patient
from programs.models import Prescription, PrescriptionStatus, SessionLog
from tests.e2e.conftest import check_page, fill_session_log
from tests.factories import PASSWORD, ClinicianFactory

PROTECTIVE_MEASURES = (
    "Clinic sessions only",
    "Overhead harness or body-weight support",
    "Both handrails",
    "Therapist-set speed",
    "One-to-one supervision",
)


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_clinician_screens_prescribes_protected_logs_and_sees_the_near_fall_flag(new_page):
    clinician = ClinicianFactory(username="cara", first_name="Cara", last_name="Lindqvist")
    page = new_page()

    page.goto("/accounts/login/")
    check_page(page, "clinician-01-login")
    sign_in(page, "cara")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    check_page(page, "clinician-02-dashboard-empty")

    # Add a stroke patient.
    page.get_by_role("link", name="Add a patient").click()
    page.get_by_label("Medical record number").fill("RW-5001")
    page.get_by_label("First name").fill("Ingrid")
    page.get_by_label("Last name").fill("Holm")
    page.get_by_label("Date of birth").fill("1956-03-14")
    page.get_by_label("Comfortable forward walking speed (km/h)").fill("2.4")
    page.get_by_label("Condition").select_option(label="Stroke")
    # The condition's own questions appear, labelled for the condition.
    page.get_by_label("Paretic side").select_option(label="Left")
    page.get_by_label("Walking aid").select_option(label="Single-point cane")
    page.get_by_label("Stroke date").fill("2026-08-01")
    check_page(page, "clinician-03-add-patient")
    page.get_by_role("button", name="Add patient").click()
    expect(page.get_by_text("Ingrid Holm was added. You are on the care team.")).to_be_visible()
    patient = Patient.objects.get(record_number="RW-5001")
    assert patient.condition.code == "stroke"
    assert list(patient.care_team.all()) == [clinician]
    check_page(page, "clinician-04-chart-new")

    # Screening: Berg 41, the outcome shows live before saving, with its reason.
    page.get_by_role("link", name="Record a screening").click()
    page.get_by_label("Berg Balance Scale (0–56)").fill("41")
    page.get_by_label("Resting systolic (mmHg)").fill("132")
    page.get_by_label("Resting diastolic (mmHg)").fill("84")
    live = page.locator("[aria-live]").filter(has_text="Outcome if saved now")
    expect(live).to_contain_text("Cleared with protection")
    expect(live).to_contain_text("Berg 41 is below 47 (stroke cutoff)")
    page.get_by_label("I have checked every item of the hard-stop checklist with the patient").check()
    check_page(page, "clinician-05-screening-live-outcome")
    page.get_by_role("button", name="Record screening").click()
    expect(page.get_by_text("Screening recorded: Cleared with protection.")).to_be_visible()
    screening = BalanceScreening.objects.get(patient=patient)
    assert (screening.outcome, screening.berg) == ("cleared_protected", 41)
    check_page(page, "clinician-06-chart-screened")

    # The gate refuses a standard program, with the reason.
    page.get_by_role("link", name="Prescribe a program").click()
    expect(page.get_by_text("This screening requires protected mode with every measure ticked.")).to_be_visible()
    page.get_by_label("Standard").check()
    page.get_by_role("button", name="Preview every week").click()
    page.get_by_role("button", name="Save the program").click()
    refusal = page.get_by_role("alert").filter(has_text="The program was not saved")
    expect(refusal).to_contain_text("Berg 41 is below 47 (stroke cutoff): prescribe in protected mode or rescreen.")
    assert not Prescription.objects.filter(patient=patient).exists()
    check_page(page, "clinician-07-prescribe-refused")

    # Protected mode with every measure; the preview shows all six weeks.
    page.get_by_label("Protected").check()
    for measure in PROTECTIVE_MEASURES:
        page.get_by_label(measure).check()
    page.get_by_role("button", name="Recalculate from step 1").click()
    weeks = page.get_by_role("table").filter(has_text="Minutes per bout").locator("tbody tr")
    expect(weeks).to_have_count(6)
    expect(page.get_by_label("Week 6: Speed (km/h)")).to_have_value("3.6")
    expect(page.get_by_role("alert").filter(has_text="The program was not saved")).to_have_count(0)
    check_page(page, "clinician-08-prescribe-preview")
    page.get_by_role("button", name="Save the program").click()
    expect(page.get_by_text("Stroke — 6 weeks prescribed for Ingrid Holm")).to_be_visible()
    program = Prescription.objects.get(patient=patient)
    assert program.status == PrescriptionStatus.ACTIVE
    assert program.protection == "protected"
    measures = (
        program.clinic_only,
        program.harness,
        program.both_rails,
        program.therapist_sets_speed,
        program.one_to_one,
    )
    assert measures == (True, True, True, True, True)
    assert program.screening_id == screening.pk
    assert program.weeks.count() == 6
    check_page(page, "clinician-09-chart-prescribed")

    # A clinic session with a near fall.
    page.get_by_role("link", name="Stroke — 6 weeks").click()
    check_page(page, "clinician-10-program")
    page.get_by_role("link", name="Log a clinic session").click()
    fill_session_log(
        page,
        minutes="12",
        pain=("1", "2"),
        effort="13",
        rails="Harness and both hands",
        event="Near fall (lost balance, caught by the rails, a person or the harness)",
    )
    page.get_by_label("Note").fill("Lost balance turning at the end of bout 2; harness caught her.")
    check_page(page, "clinician-11-log-session")
    page.get_by_role("button", name="Save the session").click()
    page.wait_for_load_state()
    log = SessionLog.objects.get(prescription=program)
    assert (log.minutes, log.event, log.rails, log.pain_after) == (12, "near_fall", "harness", 2)
    program.refresh_from_db()
    screening.refresh_from_db()
    assert program.status == PrescriptionStatus.PAUSED
    assert screening.voided_at is not None
    check_page(page, "clinician-12-after-near-fall")

    # The dashboard puts her first with the fall flag.
    page.get_by_role("link", name="Dashboard").click()
    first_row = page.get_by_role("table").locator("tbody tr").first
    expect(first_row).to_contain_text("Ingrid Holm")
    expect(first_row).to_contain_text("Fall or near fall reported")
    expect(first_row).to_contain_text("Screening void")
    expect(first_row).to_contain_text("Paused")
    check_page(page, "clinician-13-dashboard-near-fall")
