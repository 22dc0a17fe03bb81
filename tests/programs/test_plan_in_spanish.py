"""The plan speaks the patient's language wherever it is read: on the patient's page, and printed or as a PDF
by an English-speaking clinician (as the speed unit does)."""

import pytest
from django.utils import translation

from programs import plan
from retrowalk.services import preferences_update
from tests.programs.test_plan import pdf_text, plan_url


def _spanish(text):
    with translation.override("es"):
        return str(text)


@pytest.fixture
def spanish_patient(patient, patient_user):
    preferences_update(user=patient_user, speed_unit="kmh", language="es")
    return patient


@pytest.mark.django_db
def test_an_english_clinician_prints_a_spanish_speaking_patient_s_plan_in_spanish(
    clinician_client, spanish_patient, screen, prescribe
):
    program = prescribe(spanish_patient, screen(spanish_patient), baseline_pain=1)
    page = clinician_client.get(plan_url("plan_print", program)).content.decode()
    assert '<html lang="es" dir="ltr">' in page
    assert "Plan de marcha de Pat Own" in page and "Cuándo parar" in page
    # The template's words too: its name and what to do before the walk.
    assert "Artrosis de rodilla — 6 semanas" in page and "Camine hacia delante a paso suave" in page
    assert "Knee osteoarthritis" not in page and "Walk forward at an easy pace" not in page
    chart = clinician_client.get(program.get_absolute_url()).content.decode()
    assert '<html lang="en"' in chart and "Change history" in chart  # the clinician's own pages stay English


@pytest.mark.django_db
@pytest.mark.parametrize(("paper", "points"), [("a4", (595, 842)), ("letter", (612, 792))])
def test_the_spanish_pdf_has_the_stop_rules_and_every_week_in_spanish_on_two_pages(
    clinician_client, spanish_patient, screen, prescribe, twelve_week_template, paper, points
):
    program = prescribe(spanish_patient, screen(spanish_patient), template=twelve_week_template)
    assert program.weeks.count() == 12
    response = clinician_client.get(plan_url("plan_pdf", program, paper=paper))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    reader, text = pdf_text(response.content)
    assert len(reader.pages) <= 2
    assert tuple(round(float(v)) for v in reader.pages[0].mediabox.upper_right) == points
    assert "Plan de marcha de Pat Own" in text
    assert _spanish(plan.STOP_RULES_INTRO) in text
    for rule in plan.STOP_RULES:
        assert _spanish(rule) in text
    assert _spanish(plan.AFTER_A_FALL) in text
    for week in program.weeks.all():
        assert f"{week.bouts} × {week.bout_minutes} min" in text
    assert "Todas las semanas" in text and "Registro de sesiones" in text
    assert "Artrosis de rodilla — 12 semanas" in text and "Sesión supervisada en la clínica" in text
    assert "Supervised session" not in text
    assert "When to stop" not in text and "Every week" not in text


@pytest.mark.django_db
def test_why_the_program_is_paused_is_written_in_the_patient_s_language(
    clinician, spanish_patient, patient_client, screen, prescribe
):
    from programs import services

    program = prescribe(spanish_patient, screen(spanish_patient), baseline_pain=1)
    services.prescription_pause(prescription=program, by=clinician, expected_version=program.version, reason="")
    program.refresh_from_db()
    assert program.pause_reason == "Pausado por el profesional."
    plan_page = patient_client.get("/my-plan/").content.decode()
    assert "Su programa está en pausa" in plan_page and "Pausado por el profesional." in plan_page


@pytest.mark.django_db
def test_a_fall_logged_by_an_english_clinician_pauses_in_the_patient_s_words(
    clinician, spanish_patient, screen, prescribe
):
    from programs import services
    from tests.programs.test_program_services import entry

    program = prescribe(spanish_patient, screen(spanish_patient), baseline_pain=1)
    services.session_log_create(prescription=program, by=clinician, entry=entry(event="near_fall"))
    program.refresh_from_db()
    assert program.pause_reason.startswith("Casi caída comunicada el ")
    assert program.pause_reason.endswith(": vuelva a evaluar antes de reanudar.")
    assert program.screening.voided_at is not None
