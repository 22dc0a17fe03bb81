"""Unknown URLs and server errors get the app's own pages, never a traceback."""

import pytest
from django.test import Client

from tests import factories


@pytest.mark.django_db
def test_unknown_url_gets_the_styled_404(clinician_client):
    response = clinician_client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert "/static/css/retrowalk.css" in body


@pytest.mark.django_db
def test_server_error_gets_the_styled_500_without_traceback(settings, clinician):
    factories.PatientFactory(care_team=[clinician], first_name="Jane", last_name="Secret")
    settings.ROOT_URLCONF = "tests.retrowalk.urls_failing"
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(clinician)
    response = client.get("/fail/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert "Traceback" not in body and "RuntimeError" not in body and "Jane Secret" not in body


@pytest.mark.django_db
def test_a_database_that_cannot_be_reached_gets_the_503_page(settings, clinician):
    settings.ROOT_URLCONF = "tests.retrowalk.urls_failing"
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(clinician)
    response = client.get("/database-down/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    body = response.content.decode()
    assert "retrowalk is briefly unavailable" in body and "Something went wrong" not in body
    assert "couldn" not in body and "OperationalError" not in body
    # Any other failure is still the 500 page.
    assert client.get("/fail/").status_code == 500
