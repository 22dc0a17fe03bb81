"""The program's discharge and progress summary: screen, PDF (at most two pages for 12 weeks), text, note."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.services import screening_record
from programs import services
from programs.models import Prescription, PrescriptionStatus, PrescriptionWeek, SessionLog
from retrowalk.models import AccessAction, AccessRecord
from tests.conftest import client_for
from tests.programs.test_plan import pdf_text


def url(name, program, **query):
    base = reverse(f"programs:{name}", kwargs={"public_id": program.public_id})
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def walked(patient, clinician, screen, twelve_week_template):
    """A finished 12-week program (made as the demo makes its history: the gate checks today's clock),
    walked three times a week with pain easing and one session stopped early, reassessed on its last day."""
    start = timezone.localdate() - timedelta(days=100)
    end = start + timedelta(days=83)
    screening = screening_record(
        patient=patient,
        by=clinician,
        values={"screened_on": start - timedelta(days=1), "berg": 52, "bp_systolic": 120, "bp_diastolic": 80},
    )
    program = Prescription(
        patient=patient,
        template=twelve_week_template,
        screening=screening,
        prescriber=clinician,
        status=PrescriptionStatus.COMPLETED,
        start_date=start,
        starting_speed_kmh=D("2.0"),
        baseline_pain=1,
        current_week=12,
        week_started_on=start + timedelta(days=77),
        ended_on=end,
    )
    program.full_clean()
    program.save()
    plan = services.prescription_plan(template=twelve_week_template, starting_speed_kmh=D("2.0"), patient=patient)
    weeks = {t.week: PrescriptionWeek.objects.create(prescription=program, **t.__dict__) for t in plan}
    for week in range(12):
        target = weeks[week + 1]
        for day in (0, 2, 4):
            pain = max(0, 4 - week // 3)
            log = SessionLog(
                prescription=program,
                week=week + 1,
                session_date=start + timedelta(days=7 * week + day),
                setting="clinic",
                entered_by=clinician,
                minutes=target.session_minutes,
                speed_kmh=target.speed_kmh,
                incline_pct=target.incline_pct,
                pain_before=pain,
                pain_after=pain,
                effort=12,
                event="near_fall" if (week, day) == (4, 0) else "none",
                rails="both_hands",
                stopped_early=(week, day) == (3, 2),
            )
            log.full_clean()
            log.save()
    screening_record(
        patient=patient, by=clinician, values={"screened_on": end, "berg": 56, "bp_systolic": 120, "bp_diastolic": 80}
    )
    return program, end


@pytest.mark.django_db
def test_the_summary_shows_attendance_dose_pain_and_outcome_changes_and_is_logged(clinician_client, walked):
    program, _ = walked
    response = clinician_client.get(url("summary", program))
    html = response.content.decode()
    assert response.status_code == 200 and "Discharge summary" in html
    assert "<strong>36 of 36</strong> planned sessions walked (100 % adherence)" in html
    assert "1 session stopped early." in html and "0 falls" in html and "1 near fall" in html
    # Pain went from 4 in week 1 to 1 in week 12: a fall of 3 points, clinically important.
    assert "went from 4.0 in the first week walked to 1.0 in the last" in html
    assert "Clinically important (a fall of at least 2 points or 30 %" in html
    # Berg 52 → 56: +4, within the older adults' MDC of 6.5 borrowed for knee OA.
    assert "+4" in html and "within measurement error" in html and "figure for older adults" in html
    # The text version for the clinic's record.
    assert "Sessions: 36 of 36 planned (100 % adherence)." in html
    record = AccessRecord.objects.get(action=AccessAction.SUMMARY_VIEWED)
    assert record.object_public_id == program.public_id and record.patient_public_id == program.patient.public_id


@pytest.mark.django_db
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_a_twelve_week_summary_is_at_most_two_pages(clinician_client, walked, paper):
    program, _ = walked
    response = clinician_client.get(url("summary_pdf", program, paper=paper))
    assert response["Content-Type"] == "application/pdf"
    reader, text = pdf_text(response.content)
    assert len(reader.pages) <= 2
    assert "Discharge summary" in text and "36 of 36" in text and "Berg Balance Scale" in text
    assert AccessRecord.objects.filter(action=AccessAction.SUMMARY_PDF, object_public_id=program.public_id).count() == 1


@pytest.mark.django_db
def test_the_closing_note_is_saved_by_the_care_team_and_a_stale_one_changes_nothing(clinician_client, walked):
    program, _ = walked
    response = clinician_client.post(
        url("closing_note", program), {"version": program.version, "note": "  Walks to the shop again.  "}
    )
    assert response.status_code == 302 and response["Location"] == url("summary", program)
    program.refresh_from_db()
    assert program.closing_note == "Walks to the shop again."
    page = clinician_client.get(url("summary", program)).content.decode()
    assert "Walks to the shop again." in page and "The closing note was saved." in page
    stale = clinician_client.post(url("closing_note", program), {"version": program.version - 1, "note": "Other"})
    assert stale.status_code == 302
    program.refresh_from_db()
    assert program.closing_note == "Walks to the shop again."
    too_long = clinician_client.post(url("closing_note", program), {"version": program.version, "note": "x" * 2001})
    assert too_long.status_code == 302
    program.refresh_from_db()
    assert program.closing_note == "Walks to the shop again."


@pytest.mark.django_db
def test_the_patient_reads_their_own_summary_without_the_note_form(patient_user, program_of_patient):
    client = client_for(patient_user)
    html = client.get(url("summary", program_of_patient)).content.decode()
    assert "Progress summary" in html and "Save the note" not in html and "summary-text" not in html
    assert client.get(reverse("programs:my_plan")).content.decode().count(url("summary_pdf", program_of_patient)) == 1


@pytest.fixture
def program_of_patient(patient, screen, prescribe):
    return prescribe(patient, screen(patient))


@pytest.mark.django_db
def test_nobody_else_reaches_the_summary(program_of_patient, other_clinician_client, other_patient_user, admin_client_):
    for client in (other_clinician_client, client_for(other_patient_user), admin_client_):
        assert client.get(url("summary", program_of_patient)).status_code == 404
        assert client.get(url("summary_pdf", program_of_patient)).status_code == 404
    assert not AccessRecord.objects.filter(action__in=[AccessAction.SUMMARY_VIEWED, AccessAction.SUMMARY_PDF]).exists()
