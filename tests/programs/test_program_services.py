"""Prescribing through the page, adjusting, pausing/resuming/stopping/completing, reviews and session logs."""

import re
import uuid
from datetime import timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from programs import services
from programs.models import Prescription, PrescriptionWeek, ProgramTemplate, ProgressionDecision, SessionLog
from programs.progression import WeekTarget
from retrowalk.services import preferences_update
from tests import factories
from tests.conftest import client_for
from tests.programs.conftest import FULL_PROTECTION, prescribe_post

TODAY = timezone.localdate


def entry(**overrides):
    values = {
        "session_date": TODAY(),
        "minutes": 10,
        "speed_kmh": D("2.0"),
        "incline_pct": D("0"),
        "pain_before": 1,
        "pain_after": 2,
        "effort": 11,
        "event": "none",
        "rails": "both_hands",
        "note": "",
    }
    values.update(overrides)
    return services.SessionEntry(**values)


def log_post(**overrides):
    data = {
        "session_date": TODAY().isoformat(),
        "minutes": "10",
        "speed_kmh": "2.0",
        "incline_pct": "0",
        "pain_before": "1",
        "pain_after": "2",
        "effort": "11",
        "event": "none",
        "rails": "both_hands",
        "note": "",
    }
    data.update(overrides)
    return data


def targets_of(prescription, changes=None):
    rows = []
    for w in prescription.weeks.order_by("week"):
        values = {
            n: getattr(w, n)
            for n in (
                "week",
                "sessions",
                "bouts",
                "bout_minutes",
                "rest_minutes",
                "speed_kmh",
                "incline_pct",
                "support",
                "note",
            )
        }
        values.update((changes or {}).get(w.week, {}))
        rows.append(WeekTarget(**values))
    return rows


# --- Prescribing through the page ---


@pytest.mark.django_db
def test_the_prescribe_page_suggests_the_speed_and_previews_every_week(clinician_client, patient, screen, oa_template):
    screen(patient)
    url = reverse("programs:prescribe", kwargs={"public_id": patient.public_id})
    page = clinician_client.get(url).content.decode()
    assert "Suggested 2.0 km/h: 50 % of the comfortable forward speed 4.0 km/h." in page
    preview = clinician_client.post(url, prescribe_post(oa_template, action="preview")).content.decode()
    assert preview.count('name="weeks-') >= oa_template.weeks * 8
    assert "Save the program" in preview
    assert not Prescription.objects.exists()


@pytest.mark.django_db
def test_the_speed_hint_speaks_the_clinician_s_unit_throughout(clinician_client, clinician, patient, screen):
    screen(patient)
    preferences_update(user=clinician, speed_unit="mph")
    page = clinician_client.get(reverse("programs:prescribe", kwargs={"public_id": patient.public_id})).content.decode()
    assert "Suggested 1.2 mph: 50 % of the comfortable forward speed 2.5 mph." in page
    assert "km/h" not in page[page.index("Suggested") : page.index("Suggested") + 120]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("outcome", "days_ago", "voided", "reason"),
    [
        (None, 0, False, "There is no balance screening on record: screen the patient before prescribing."),
        ("not_cleared", 0, False, "did not clear the patient"),
        ("cleared", 0, True, "voided after a fall or near fall on the treadmill: rescreen before prescribing."),
        ("cleared", 400, False, "rescreen before prescribing."),
    ],
    ids=["no screening", "not cleared", "void", "expired"],
)
def test_a_patient_the_screening_does_not_clear_gets_the_reason_and_the_next_step_instead_of_a_form(
    clinician_client, patient, screen, oa_template, outcome, days_ago, voided, reason
):
    if outcome:
        screen(patient, outcome, days_ago=days_ago, voided=voided)
    url = reverse("programs:prescribe", kwargs={"public_id": patient.public_id})
    page = clinician_client.get(url).content.decode()
    assert "A program cannot be prescribed now" in page and reason in page
    assert "Save the program" not in page and 'name="template"' not in page
    assert reverse("patients:screening_create", kwargs={"public_id": patient.public_id}) in page
    # A post made anyway is refused the same way, and saves nothing.
    refused = clinician_client.post(url, prescribe_post(oa_template)).content.decode()
    assert "A program cannot be prescribed now" in refused and not Prescription.objects.exists()
    chart = clinician_client.get(patient.get_absolute_url()).content.decode()
    assert "A program cannot be prescribed now" in chart and reason in chart
    assert url not in chart  # no "Prescribe a program" button that only leads to a refusal


@pytest.mark.django_db
def test_the_template_select_offers_the_condition_s_active_templates_and_refuses_any_other(
    clinician_client, patient, screen, oa_template
):
    screen(patient)
    retired = ProgramTemplate.objects.get(pk=oa_template.pk)
    retired.pk, retired.lineage, retired.name, retired.is_active = None, uuid.uuid4(), "An old knee plan", False
    retired.save()
    stroke = ProgramTemplate.objects.get(condition__code="stroke", is_active=True)
    url = reverse("programs:prescribe", kwargs={"public_id": patient.public_id})
    page = clinician_client.get(url).content.decode()
    offered = re.findall(r'<option value="(\d+)"', page.split('name="template"', 1)[1].split("</select>", 1)[0])
    expected = ProgramTemplate.objects.filter(condition=oa_template.condition, is_active=True).order_by("name")
    assert offered == [str(t.pk) for t in expected] and str(oa_template.pk) in offered
    for other in (retired, stroke):
        answer = clinician_client.post(url, {**prescribe_post(oa_template), "template": other.pk}).content.decode()
        assert "Select a valid choice. That choice is not one of the available choices." in answer
    assert not Prescription.objects.exists()


@pytest.mark.django_db
def test_saving_the_previewed_plan_creates_the_program_and_its_weeks(clinician_client, patient, screen, oa_template):
    screen(patient)
    data = prescribe_post(oa_template, **{"weeks-2-speed_kmh": "2.4", "baseline_pain": "2"})
    response = clinician_client.post(reverse("programs:prescribe", kwargs={"public_id": patient.public_id}), data)
    assert response.status_code == 302
    rx = Prescription.objects.get()
    assert (rx.status, rx.current_week, rx.baseline_pain, rx.week_started_on) == ("active", 1, 2, TODAY())
    assert rx.weeks.count() == oa_template.weeks
    assert rx.weeks.get(week=3).speed_kmh == D("2.4")
    chart = clinician_client.get(patient.get_absolute_url()).content.decode()
    assert "Week in force: <strong>week 1 of 6</strong>" in chart


@pytest.mark.django_db
def test_a_week_above_the_cap_gets_a_field_error_and_saves_nothing(clinician_client, patient, screen, oa_template):
    screen(patient)
    data = prescribe_post(oa_template, **{"weeks-5-speed_kmh": "5.1"})
    page = clinician_client.post(reverse("programs:prescribe", kwargs={"public_id": patient.public_id}), data)
    assert "5.1 km/h is above the cap of 5.0 km/h." in page.content.decode()
    assert not Prescription.objects.exists() and not PrescriptionWeek.objects.exists()


@pytest.mark.django_db
def test_protected_screening_refuses_a_standard_program_then_accepts_protected_mode(
    clinician_client, patient, screen, oa_template
):
    screen(patient, "cleared_protected")
    url = reverse("programs:prescribe", kwargs={"public_id": patient.public_id})
    refused = clinician_client.post(url, prescribe_post(oa_template)).content.decode()
    assert "prescribe in protected mode or rescreen" in refused
    assert not Prescription.objects.exists()
    assert clinician_client.post(url, prescribe_post(oa_template, protection=FULL_PROTECTION)).status_code == 302
    assert Prescription.objects.get().protection == "protected"


@pytest.mark.django_db
def test_a_program_cannot_start_before_its_screening(patient, screen, prescribe):
    screening = screen(patient, days_ago=0)
    with pytest.raises(services.PrescriptionError, match="cannot start before the screening"):
        services.prescription_create(
            patient=patient,
            template=screening.patient.condition.templates.get(is_active=True),
            screening=screening,
            by=patient.care_team.get(),
            start_date=TODAY() - timedelta(days=1),
            starting_speed_kmh=D("2.0"),
            protection=services.gate.ProtectionFacts(protected=False),
        )
    assert not Prescription.objects.exists()


# --- Adjusting, with optimistic locking ---


@pytest.mark.django_db
def test_adjust_changes_a_week_and_raises_the_version(patient, screen, prescribe, clinician):
    rx = prescribe(patient, screen(patient))
    services.prescription_adjust(
        prescription=rx, by=clinician, expected_version=1, weeks=targets_of(rx, {3: {"speed_kmh": D("2.6")}})
    )
    rx.refresh_from_db()
    assert rx.version == 2
    assert rx.weeks.get(week=3).speed_kmh == D("2.6")


@pytest.mark.django_db
def test_a_stale_adjustment_is_refused_and_keeps_the_first_save(patient, screen, prescribe, clinician):
    """SECURITY.md: Two clinicians editing one prescription: the stale save is refused"""
    rx = prescribe(patient, screen(patient))
    services.prescription_adjust(
        prescription=rx, by=clinician, expected_version=1, weeks=targets_of(rx, {2: {"speed_kmh": D("2.2")}})
    )
    with pytest.raises(services.PrescriptionError, match="Someone else changed this program meanwhile"):
        services.prescription_adjust(
            prescription=rx, by=clinician, expected_version=1, weeks=targets_of(rx, {2: {"speed_kmh": D("3.0")}})
        )
    rx.refresh_from_db()
    assert (rx.version, rx.weeks.get(week=2).speed_kmh) == (2, D("2.2"))


@pytest.mark.django_db
def test_the_adjust_page_shows_the_stale_refusal(clinician_client, patient, screen, prescribe, clinician):
    rx = prescribe(patient, screen(patient))
    url = reverse("programs:adjust", kwargs={"public_id": rx.public_id})
    form = clinician_client.get(url).context["weeks"]
    data = {"version": "1", "weeks-TOTAL_FORMS": "6", "weeks-INITIAL_FORMS": "6"}
    for i, f in enumerate(form.forms):
        for name, value in f.initial.items():
            data[f"weeks-{i}-{name}"] = str(value)
    # Another clinician's change meanwhile:
    services.prescription_pause(prescription=rx, by=clinician, expected_version=1, reason="holiday")
    data["weeks-0-speed_kmh"] = "1.8"
    page = clinician_client.post(url, data, follow=True).content.decode()
    assert "Someone else changed this program meanwhile" in page
    assert rx.weeks.get(week=1).speed_kmh == D("2.0")


@pytest.mark.django_db
def test_an_adjustment_above_the_template_cap_is_refused(patient, screen, prescribe, clinician):
    rx = prescribe(patient, screen(patient))
    cap = rx.template.max_speed_kmh
    above = cap + D("0.1")
    with pytest.raises(services.PrescriptionError, match=f"Week 4: {above} km/h is outside 0.1 to {cap} km/h"):
        services.prescription_adjust(
            prescription=rx, by=clinician, expected_version=1, weeks=targets_of(rx, {4: {"speed_kmh": above}})
        )
    rx.refresh_from_db()
    assert rx.version == 1 and rx.weeks.get(week=4).speed_kmh < cap


# --- Pause, resume, stop, complete (POST only) ---


@pytest.mark.django_db
def test_pause_resume_stop_through_the_pages(clinician_client, patient, screen, prescribe):
    rx = prescribe(patient, screen(patient))
    assert clinician_client.get(reverse("programs:pause", kwargs={"public_id": rx.public_id})).status_code == 405
    clinician_client.post(
        reverse("programs:pause", kwargs={"public_id": rx.public_id}), {"version": 1, "reason": "Flu"}
    )
    rx.refresh_from_db()
    assert (rx.status, rx.pause_reason, rx.version) == ("paused", "Flu", 2)
    clinician_client.post(
        reverse("programs:resume", kwargs={"public_id": rx.public_id}), {"version": 2, "protection": "standard"}
    )
    rx.refresh_from_db()
    assert (rx.status, rx.week_started_on) == ("active", TODAY())
    page = clinician_client.post(
        reverse("programs:stop", kwargs={"public_id": rx.public_id}), {"version": 3}, follow=True
    ).content.decode()
    assert "Why stop?" in page
    rx.refresh_from_db()
    assert rx.status == "active"
    clinician_client.post(
        reverse("programs:stop", kwargs={"public_id": rx.public_id}), {"version": 3, "reason": "Moved away"}
    )
    rx.refresh_from_db()
    assert (rx.status, rx.stop_reason, rx.ended_on) == ("stopped", "Moved away", TODAY())


@pytest.mark.django_db
def test_complete_ends_a_current_program(patient, screen, prescribe, clinician):
    rx = prescribe(patient, screen(patient))
    services.prescription_complete(prescription=rx, by=clinician, expected_version=1)
    rx.refresh_from_db()
    assert (rx.status, rx.ended_on) == ("completed", TODAY())
    with pytest.raises(services.PrescriptionError):
        services.prescription_complete(prescription=rx, by=clinician, expected_version=2)


@pytest.mark.django_db
def test_another_teams_clinician_gets_404_for_the_actions(other_clinician_client, patient, screen, prescribe):
    rx = prescribe(patient, screen(patient))
    for name in ("pause", "stop", "complete", "resume", "review"):
        response = other_clinician_client.post(
            reverse(f"programs:{name}", kwargs={"public_id": rx.public_id}), {"version": 1, "reason": "x"}
        )
        assert response.status_code == 404
    rx.refresh_from_db()
    assert (rx.status, rx.version) == ("active", 1)


# --- Session logs ---


@pytest.mark.django_db
def test_a_near_fall_pauses_the_program_voids_the_screening_and_flags_the_dashboard(
    clinician_client, patient, screen, prescribe, clinician
):
    screening = screen(patient)
    rx = prescribe(patient, screening)
    response = clinician_client.post(
        reverse("programs:log", kwargs={"public_id": rx.public_id}), log_post(event="near_fall"), follow=True
    )
    assert "The program is paused and the balance screening is void" in response.content.decode()
    rx.refresh_from_db()
    screening.refresh_from_db()
    assert rx.status == "paused" and "Near fall reported" in rx.pause_reason
    assert screening.voided_at is not None
    log = SessionLog.objects.get()
    assert (log.setting, log.event, log.week) == ("clinic", "near_fall", 1)
    dashboard = clinician_client.get(reverse("programs:dashboard")).content.decode()
    assert "Fall or near fall reported" in dashboard and "Screening void" in dashboard


@pytest.mark.django_db
def test_the_patient_logs_a_home_session(patient_client, patient, screen, prescribe):
    rx = prescribe(patient, screen(patient))
    patient_client.post(reverse("programs:log", kwargs={"public_id": rx.public_id}), log_post())
    assert SessionLog.objects.get().setting == "home"


@pytest.mark.django_db
def test_the_next_morning_pain_is_taken_for_seven_days_after_the_session(
    patient, screen, prescribe, clinician, patient_user
):
    """The chart and the plan offer the input while it is still the morning after (CLINICAL.md s5: the last
    week); later the page shows a dash and a late post is refused with the reason, changing nothing."""
    rx = prescribe(patient, screen(patient))
    log = services.session_log_create(prescription=rx, by=clinician, entry=entry())
    plan = reverse("programs:my_plan")
    next_day = reverse("programs:next_day", kwargs={"public_id": log.public_id})
    with time_machine.travel(timezone.now() + timedelta(days=7), tick=False):
        assert f'id="nd-form-{log.public_id}"' in client_for(patient_user).get(plan).content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        patient_client = client_for(patient_user)
        page = patient_client.get(plan).content.decode()
        assert "Sessions you logged" in page and f"nd-{log.public_id}" not in page
        answer = patient_client.post(next_day, {"pain": "3"}, follow=True)
        assert "can be added up to 7 days after the session" in answer.content.decode()
    log.refresh_from_db()
    assert log.pain_next_day is None
    client_for(patient_user).post(next_day, {"pain": "3"})
    log.refresh_from_db()
    assert log.pain_next_day == 3


@pytest.mark.django_db
def test_the_same_session_form_sent_twice_saves_one_log(patient_client, patient, screen, prescribe, clinician):
    """A form sent again (the answer was lost, a server died after saving) finds its log and saves nothing."""
    rx = prescribe(patient, screen(patient))
    url = reverse("programs:log", kwargs={"public_id": rx.public_id})
    page = patient_client.get(url).content.decode()
    submission = re.search(r'name="submission" value="([0-9a-f-]{36})"', page).group(1)
    assert submission not in patient_client.get(url).content.decode()  # each form drawn has its own
    for _ in range(2):
        answer = patient_client.post(url, log_post(submission=submission, note="once"), follow=True)
        assert "logged." in answer.content.decode()
    (log,) = SessionLog.objects.all()
    assert (str(log.public_id), log.note) == (submission, "once")
    # Another program's author cannot reuse it: refused, nothing changes.
    other = factories.PatientFactory(care_team=[clinician])
    other_rx = prescribe(other, screen(other))
    answer = client_for(clinician).post(
        reverse("programs:log", kwargs={"public_id": other_rx.public_id}), log_post(submission=submission)
    )
    assert "This form was already used: open the session form again." in answer.content.decode()
    assert SessionLog.objects.count() == 1
    damaged = patient_client.post(url, log_post(submission="not-a-uuid"))
    assert "This form is damaged: open the session form again." in damaged.content.decode()
    assert SessionLog.objects.count() == 1


@pytest.mark.django_db
def test_logging_on_a_paused_program_is_refused_with_the_reason(patient, screen, prescribe, clinician, patient_user):
    rx = prescribe(patient, screen(patient))
    services.prescription_pause(prescription=rx, by=clinician, expected_version=1, reason="Knee swelling")
    with pytest.raises(services.PrescriptionError, match=r"it is paused \(Knee swelling\)"):
        services.session_log_create(prescription=rx, by=patient_user, entry=entry())
    assert not SessionLog.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field, value, message",
    [
        ("pain_after", "11", "less than or equal to 10"),
        ("effort", "25", "less than or equal to 20"),
        ("minutes", "-5", "greater than or equal to 0"),
        ("speed_kmh", "5.1", "above the cap of 5.0 km/h"),
        ("session_date", "2000-01-01", "The program started on"),
    ],
)
def test_out_of_range_logs_get_field_errors_and_save_nothing(
    clinician_client, patient, screen, prescribe, field, value, message
):
    """SECURITY.md: Clinical ranges validated in forms and constrained in the database"""
    rx = prescribe(patient, screen(patient))
    response = clinician_client.post(
        reverse("programs:log", kwargs={"public_id": rx.public_id}), log_post(**{field: value})
    )
    assert response.status_code == 200
    assert message in str(response.context["form"].errors.get(field))
    assert not SessionLog.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field, value",
    [("pain_after", 11), ("effort", 25), ("effort", 5), ("minutes", 61), ("speed_kmh", D("5.1")), ("event", "stumble")],
)
def test_the_database_refuses_out_of_range_logs(patient, screen, prescribe, clinician, field, value):
    """SECURITY.md: Clinical ranges validated in forms and constrained in the database"""
    rx = prescribe(patient, screen(patient))
    values = {**entry().__dict__, field: value}
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionLog.objects.create(prescription=rx, week=1, setting="clinic", entered_by=clinician, **values)
    assert not SessionLog.objects.exists()


@pytest.mark.django_db
def test_the_database_refuses_logs_on_a_paused_program_or_before_the_start(patient, screen, prescribe, clinician):
    """PostgreSQL and SQLite alike (a trigger on each), whatever writes the row."""
    rx = prescribe(patient, screen(patient))
    with pytest.raises(IntegrityError, match="cannot be dated in the future"), transaction.atomic():
        SessionLog.objects.create(
            prescription=rx,
            week=1,
            setting="clinic",
            entered_by=clinician,
            **{**entry().__dict__, "session_date": TODAY() + timedelta(days=5)},
        )
    with pytest.raises(IntegrityError, match="before the program starts"), transaction.atomic():
        SessionLog.objects.create(
            prescription=rx,
            week=1,
            setting="clinic",
            entered_by=clinician,
            **{**entry().__dict__, "session_date": TODAY() - timedelta(days=1)},
        )
    services.prescription_pause(prescription=rx, by=clinician, expected_version=1, reason="")
    with pytest.raises(IntegrityError, match="only on an active program"), transaction.atomic():
        SessionLog.objects.create(prescription=rx, week=1, setting="clinic", entered_by=clinician, **entry().__dict__)
    assert not SessionLog.objects.exists()


# --- Week reviews ---


def _walk_a_week(rx, by, *, start, pains=((1, 2), (1, 2), (1, 2))):
    Prescription.objects.filter(pk=rx.pk).update(start_date=start, week_started_on=start)
    rx.refresh_from_db()
    for i, (before, after) in enumerate(pains):
        services.session_log_create(
            prescription=rx,
            by=by,
            entry=entry(session_date=start + timedelta(days=2 * i), pain_before=before, pain_after=after),
        )
    return rx


@pytest.mark.django_db
def test_applying_the_suggestion_advances_and_starts_the_next_week_today(patient, screen, clinician, oa_template):
    screening = screen(patient, days_ago=8)
    rx = services.prescription_create(
        patient=patient,
        template=oa_template,
        screening=screening,
        by=clinician,
        start_date=TODAY() - timedelta(days=7),
        starting_speed_kmh=D("2.0"),
        protection=FULL_PROTECTION.__class__(protected=False),
        baseline_pain=1,
    )
    rx = _walk_a_week(rx, clinician, start=TODAY() - timedelta(days=7))
    decision = services.progression_apply(prescription=rx, by=clinician, expected_version=rx.version, action="advance")
    rx.refresh_from_db()
    assert (decision.suggested, decision.action, decision.next_week) == ("advance", "advance", 2)
    assert (rx.current_week, rx.week_started_on) == (2, TODAY())


@pytest.mark.django_db
def test_overriding_the_suggestion_needs_a_note(patient, screen, clinician, oa_template):
    screening = screen(patient, days_ago=8)
    rx = services.prescription_create(
        patient=patient,
        template=oa_template,
        screening=screening,
        by=clinician,
        start_date=TODAY() - timedelta(days=7),
        starting_speed_kmh=D("2.0"),
        protection=FULL_PROTECTION.__class__(protected=False),
        baseline_pain=1,
    )
    rx = _walk_a_week(rx, clinician, start=TODAY() - timedelta(days=7))
    with pytest.raises(services.PrescriptionError, match="say why you chose otherwise"):
        services.progression_apply(prescription=rx, by=clinician, expected_version=rx.version, action="repeat")
    assert not ProgressionDecision.objects.exists()
    decision = services.progression_apply(
        prescription=rx,
        by=clinician,
        expected_version=rx.version,
        action="repeat",
        note="Wants one more week at this speed",
    )
    assert decision.overridden and ProgressionDecision.objects.count() == 1


@pytest.mark.django_db
def test_the_chart_shows_the_waiting_review_with_its_reasons(clinician_client, patient, screen, clinician, oa_template):
    screening = screen(patient, days_ago=8)
    rx = services.prescription_create(
        patient=patient,
        template=oa_template,
        screening=screening,
        by=clinician,
        start_date=TODAY() - timedelta(days=7),
        starting_speed_kmh=D("2.0"),
        protection=FULL_PROTECTION.__class__(protected=False),
        baseline_pain=0,
    )
    _walk_a_week(rx, clinician, start=TODAY() - timedelta(days=7), pains=((0, 2), (0, 3), (0, 0)))
    page = clinician_client.get(patient.get_absolute_url()).content.decode()
    assert "Week 1 review waiting" in page
    assert "already at week 1, so repeat it." in page
    assert "Week review waiting" in clinician_client.get(reverse("programs:dashboard")).content.decode()


# --- Units ---


@pytest.mark.django_db
def test_a_mph_user_reads_and_types_mph_and_storage_stays_kmh(clinician_client, clinician, patient, screen, prescribe):
    preferences_update(user=clinician, speed_unit="mph")
    rx = prescribe(patient, screen(patient), speed=D("3.2"))
    page = clinician_client.get(rx.get_absolute_url()).content.decode()
    assert "Speed (mph)" in page and "Starting speed 2.0 mph" in page
    clinician_client.post(reverse("programs:log", kwargs={"public_id": rx.public_id}), log_post(speed_kmh="2.0"))
    assert SessionLog.objects.get().speed_kmh == D("3.2")


@pytest.mark.django_db
def test_the_settings_page_saves_the_unit(clinician_client, clinician):
    clinician_client.post(reverse("preferences"), {"speed_unit": "mph"})
    assert clinician.preferences.speed_unit == "mph"
    response = clinician_client.post(reverse("preferences"), {"speed_unit": "furlongs"})
    assert "Select a valid choice" in response.content.decode()
    clinician.preferences.refresh_from_db()
    assert clinician.preferences.speed_unit == "mph"


@pytest.mark.django_db
def test_prescribing_while_a_program_is_current_sends_the_clinician_to_it(clinician_client, patient, screen, prescribe):
    rx = prescribe(patient, screen(patient))
    response = clinician_client.get(reverse("programs:prescribe", kwargs={"public_id": patient.public_id}), follow=True)
    assert response.redirect_chain[-1][0] == rx.get_absolute_url()
    assert "already has a current program (active)" in response.content.decode()
    assert Prescription.objects.count() == 1
