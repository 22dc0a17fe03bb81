"""Each person reads retrowalk in their own language: chosen in Settings, or asked for by the browser before
signing in (the sign-in pages' language menu); dates and numbers are written and typed the language's way."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format, localize

from programs.models import SessionLog
from retrowalk.models import Preferences


def _settings(client, **data):
    return client.post(reverse("preferences"), {"speed_unit": "kmh", **data})


@pytest.mark.django_db
def test_choosing_spanish_in_settings_changes_the_next_page(clinician_client, clinician):
    assert '<html lang="en"' in clinician_client.get(reverse("programs:dashboard")).content.decode()
    response = _settings(clinician_client, language="es")
    assert response.status_code == 302
    assert Preferences.objects.get(user=clinician).language == "es"
    cookie = response.cookies["django_language"]
    assert cookie.value == "es"  # the sign-in page after signing out speaks it too
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    settings_page = clinician_client.get(response["Location"]).content.decode()
    assert "Su configuración se ha guardado." in settings_page  # the message is in the new language
    page = clinician_client.get(reverse("programs:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="es" dir="ltr">' in page
    assert '<h1 class="h3 mb-0">Panel</h1>' in page and "Mis pacientes" in page


@pytest.mark.django_db
def test_the_browser_s_language_applies_until_one_is_chosen(clinician_client, clinician):
    page = clinician_client.get(reverse("programs:dashboard"), HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").content.decode()
    assert '<html lang="es"' in page
    _settings(clinician_client, language="en")
    page = clinician_client.get(reverse("programs:dashboard"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="en"' in page and "My patients" in page
    _settings(clinician_client, language="")  # back to the browser's
    assert Preferences.objects.get(user=clinician).language == ""
    page = clinician_client.get(reverse("programs:dashboard"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["fr", "xx", "es'; DROP TABLE", "en-us"])
def test_an_unknown_language_is_refused_and_changes_nothing(clinician_client, clinician, code):
    _settings(clinician_client, language="es")
    response = _settings(clinician_client, language=code, speed_unit="mph")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Escoja una opción válida" in page  # the page speaks Spanish, the language still saved
    preferences = Preferences.objects.get(user=clinician)
    assert (preferences.language, preferences.speed_unit) == ("es", "kmh")


@pytest.mark.django_db
def test_the_sign_in_page_offers_the_other_languages_and_remembers_the_choice(client):
    page = client.get(reverse("login")).content.decode()
    assert '<button type="submit" name="language" value="es" lang="es"' in page and "Español" in page
    response = client.post(reverse("set_language"), {"language": "es", "next": reverse("login")})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="es"' in page and "Iniciar sesión" in page and "¿Ha olvidado su contraseña?" in page
    assert 'value="en" lang="en"' in page and 'value="es" lang="es"' not in page
    client.post(reverse("set_language"), {"language": "xx", "next": reverse("login")})
    assert '<html lang="es"' in client.get(reverse("login")).content.decode()  # an unknown one changes nothing


def test_spanish_dates_and_numbers():
    with translation.override("es"):
        assert date_format(date(2026, 3, 4), "DATE_FORMAT") == "4 mar 2026"
        assert date_format(date(2026, 12, 1), "MONTH_DAY_FORMAT") == "1 dic"
        assert localize(D("2.5")) == "2,5"
    with translation.override("en"):
        assert date_format(date(2026, 3, 4), "DATE_FORMAT") == "4 Mar 2026"
        assert localize(D("2.5")) == "2.5"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "typed", "saved"),
    [("es", "2,5", D("2.5")), ("es", "2.5", D("2.5")), ("en", "2.5", D("2.5"))],
)
def test_a_speed_is_typed_the_language_s_way(patient_client, patient_user, program_for_patient, language, typed, saved):
    _settings(patient_client, language=language)
    url = reverse("programs:log", kwargs={"public_id": program_for_patient.public_id})
    form = patient_client.get(url).content.decode()
    assert 'inputmode="decimal"' in form
    response = patient_client.post(url, _log(speed_kmh=typed, incline_pct="0"))
    assert response.status_code == 302
    assert SessionLog.objects.get().speed_kmh == saved


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "typed"), [("en", "2,5"), ("es", "dos"), ("es", "2,,5")])
def test_a_speed_that_is_not_a_number_gets_a_field_error_and_saves_nothing(
    patient_client, program_for_patient, language, typed
):
    _settings(patient_client, language=language)
    url = reverse("programs:log", kwargs={"public_id": program_for_patient.public_id})
    response = patient_client.post(url, _log(speed_kmh=typed))
    assert response.status_code == 200
    assert ("Enter a number." if language == "en" else "Introduzca un número.") in response.content.decode()
    assert not SessionLog.objects.exists()


def _log(**changes):
    data = {
        "session_date": date.today().isoformat(),
        "minutes": "10",
        "speed_kmh": "2.0",
        "incline_pct": "0",
        "pain_before": "2",
        "pain_after": "2",
        "effort": "11",
        "event": "none",
        "rails": "both_hands",
        "note": "",
    }
    return {**data, **changes}


@pytest.fixture
def program_for_patient(patient, screen, prescribe):
    return prescribe(patient, screen(patient))
