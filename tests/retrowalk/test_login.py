"""Login and logout per role, and each role's landing page."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from tests import factories
from tests.factories import PASSWORD


def _login(username, password=PASSWORD):
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password}, follow=True)
    return client, response


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("factory", "landing", "heading"),
    [
        (factories.ClinicianFactory, "/dashboard/", "Dashboard"),
        (factories.PatientUserFactory, "/my-plan/", "My plan"),
        (factories.AdminFactory, "/admin/", "retrowalk administration"),
    ],
)
def test_each_role_lands_on_its_own_home(factory, landing, heading):
    user = factory()
    client, response = _login(user.username)
    assert response.redirect_chain[-1][0] == landing
    assert response.status_code == 200
    assert heading in response.content.decode()
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_message_and_no_session():
    user = factories.ClinicianFactory()
    client, response = _login(user.username, "not-the-password")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logout_ends_the_session():
    user = factories.ClinicianFactory()
    client, _ = _login(user.username)
    response = client.post("/accounts/logout/", follow=True)
    assert "You have signed out" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/dashboard/")["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_logout_by_get_is_refused(clinician_client):
    assert clinician_client.get("/accounts/logout/").status_code == 405
    assert clinician_client.get("/dashboard/").status_code == 200


@pytest.mark.django_db
def test_a_signed_in_user_on_the_login_page_goes_home(clinician_client):
    response = clinician_client.get("/accounts/login/")
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_user_without_a_role_is_told_so():
    user = factories.UserFactory()
    _, response = _login(user.username)
    assert response.status_code == 403
    assert "Your account has no role yet" in response.content.decode()


@pytest.mark.django_db
def test_roles_cannot_open_each_others_home(clinician_client, patient_client):
    assert clinician_client.get("/my-plan/").status_code == 403
    assert patient_client.get("/dashboard/").status_code == 403
    assert patient_client.get("/admin/")["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_role_groups_are_created_by_migration():
    assert set(Group.objects.values_list("name", flat=True)) >= {"clinicians", "patients"}


@pytest.mark.django_db
def test_navigation_follows_the_role(clinician_client, patient_client):
    clinician_page = clinician_client.get("/dashboard/").content.decode()
    patient_page = patient_client.get("/my-plan/").content.decode()
    assert 'href="/patients/"' in clinician_page and 'href="/my-plan/"' not in clinician_page
    assert 'href="/my-plan/"' in patient_page and 'href="/patients/"' not in patient_page
