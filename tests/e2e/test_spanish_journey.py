"""A Spanish-speaking patient on a phone: signs in through Spanish pages, reads today's session and logs one
with a decimal comma; axe finds nothing serious on the way."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from programs.models import SessionLog
from retrowalk.services import preferences_update
from tests.e2e.conftest import PHONE, check_page, no_horizontal_scroll
from tests.factories import PASSWORD


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_spanish_speaking_patient_signs_in_reads_today_and_logs_a_session_with_a_decimal_comma(
    new_page, patient, patient_user, screen, prescribe
):
    preferences_update(user=patient_user, speed_unit="kmh", language="es")
    program = prescribe(patient, screen(patient))
    page = new_page(viewport=PHONE, locale="es-ES", extra_http_headers={"Accept-Language": "es-ES,es;q=0.9"})

    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
    check_page(page, "es-01-iniciar-sesion")
    page.get_by_label("Nombre de usuario").fill(patient_user.username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_load_state()

    expect(page.get_by_role("heading", name="Mi plan de marcha")).to_be_visible()
    today = page.get_by_role("region", name="La sesión de hoy")
    expect(today).to_contain_text("0 de 3 sesiones hechas esta semana.")
    expect(today).to_contain_text("Camine hacia atrás")
    expect(page.get_by_role("region", name="Cuándo parar")).to_contain_text("dolor o presión en el pecho")
    check_page(page, "es-02-mi-plan")
    no_horizontal_scroll(page, "es-02-mi-plan")

    today.get_by_role("link", name="Registrar una sesión").click()
    expect(page.get_by_role("heading", name="Registrar una sesión en casa")).to_be_visible()
    speed = page.get_by_label("Velocidad (km/h)")
    expect(speed).to_have_value("2,0")  # the week's target, written the Spanish way
    speed.fill("2,1")
    page.get_by_label("Minutos caminados hacia atrás").fill("10")
    page.get_by_label("Dolor antes (0–10)").fill("2")
    page.get_by_label("Dolor después (0–10)").fill("3")
    page.get_by_label("Esfuerzo (Borg 6–20)").fill("12")
    page.get_by_label("Ambas manos en las barras").check()
    page.get_by_label("Ni caída ni casi caída").check()
    check_page(page, "es-03-registrar-sesion")
    no_horizontal_scroll(page, "es-03-registrar-sesion")
    page.get_by_role("button", name="Guardar la sesión").click()
    page.wait_for_load_state()

    expect(page.get_by_role("status")).to_contain_text("registrada")
    expect(page.get_by_role("region", name="Su próxima sesión")).to_contain_text(
        "La sesión de hoy está registrada: 1 de 3 hechas esta semana."
    )
    check_page(page, "es-04-mi-plan-registrada")
    log = SessionLog.objects.get(prescription=program)
    assert (log.speed_kmh, log.minutes, log.pain_after, log.effort) == (D("2.1"), 10, 3, 12)
