"""Portal invitations: the clinician's invite, the one-time expiring set-password link, and its dead ends."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from patients import portal
from patients.models import PortalInvitation
from retrowalk.roles import is_patient
from tests import factories
from tests.conftest import client_for

GOOD_PASSWORD = "walking backward daily"


def invite(client, patient, *, follow=False, **data):
    return client.post(reverse("patients:portal_invite", kwargs={"public_id": patient.public_id}), data, follow=follow)


def link_in(response) -> str:
    match = re.search(r'id="portal-link"[^>]*>(http[^<]+)</textarea>', response.content.decode())
    assert match, "the invitation page shows the link"
    return match.group(1)


@pytest.fixture
def new_patient(clinician):
    """A patient on the treating clinician's team without a portal login yet."""
    return factories.PatientFactory(care_team=[clinician], first_name="Nora", last_name="Newman")


@pytest.mark.django_db
def test_invite_set_password_log_in_and_see_the_plan(clinician_client, new_patient, screen, prescribe):
    prescribe(new_patient, screen(new_patient))
    chart = clinician_client.get(new_patient.get_absolute_url()).content.decode()
    assert 'placeholder="nnewman"' in chart  # the suggested username, used when the field is left empty

    response = invite(clinician_client, new_patient, username="", email="nora@example.org")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    link = link_in(response)
    token = link.rstrip("/").rsplit("/", 1)[1]
    new_patient.refresh_from_db()
    user = new_patient.user
    assert user.username == "nnewman" and is_patient(user) and not user.has_usable_password()
    invitation = PortalInvitation.objects.get()
    assert invitation.token_digest == portal.digest(token) and token not in invitation.token_digest
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    assert len(mail.outbox) == 1 and link in mail.outbox[0].body and mail.outbox[0].to == ["nora@example.org"]
    assert "nnewman" in mail.outbox[0].body

    anonymous = Client()
    response = anonymous.get(link.replace("http://testserver", ""))
    assert response.status_code == 302 and response["Location"] == reverse("portal:set_password")
    page = anonymous.get(response["Location"])
    assert token not in page.content.decode() and "nnewman" in page.content.decode()

    refused = anonymous.post(reverse("portal:set_password"), {"new_password1": "short", "new_password2": "short"})
    assert "at least 12 characters" in refused.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert PortalInvitation.objects.get().used_at is None

    done = anonymous.post(
        reverse("portal:set_password"), {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD}
    )
    assert done.status_code == 302 and done["Location"] == reverse("login")
    login_page = anonymous.get(reverse("login")).content.decode()
    assert "Your password is set." in login_page and 'value="nnewman"' in login_page
    assert PortalInvitation.objects.get().used_at is not None

    logged_in = anonymous.post(reverse("login"), {"username": "nnewman", "password": GOOD_PASSWORD}, follow=True)
    assert logged_in.redirect_chain[-1][0] == reverse("programs:my_plan")
    assert "Today&#x27;s session" in logged_in.content.decode()


@pytest.mark.django_db
def test_a_used_link_is_refused_and_changes_nothing(clinician_client, new_patient):
    link = link_in(invite(clinician_client, new_patient, username="nora"))
    first_tab, second_tab = Client(), Client()
    first_tab.get(link)
    second_tab.get(link)
    first_tab.post(reverse("portal:set_password"), {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD})
    hashed = get_user_model().objects.get(username="nora").password

    page = Client().get(link)
    assert page.status_code == 200 and "This link has already been used" in page.content.decode()
    assert "log in here" in page.content.decode()
    # A set-password form still open in another tab is refused once the link is used.
    response = second_tab.post(
        reverse("portal:set_password"), {"new_password1": "another long phrase", "new_password2": "another long phrase"}
    )
    assert "This link has already been used" in response.content.decode()
    assert get_user_model().objects.get(username="nora").password == hashed
    # From there, too, the patient can ask for a new link.
    asked = second_tab.post(reverse("portal:set_password"), {"action": "renew"})
    assert "We told your therapist" in asked.content.decode()
    assert PortalInvitation.objects.get().renewal_requested_at is not None


@pytest.mark.django_db
def test_an_expired_link_offers_to_ask_for_a_new_one_and_the_chart_shows_the_request(
    clinician_client, clinician, new_patient
):
    clinician.email = "cara@clinic.example"
    clinician.save()
    link = link_in(invite(clinician_client, new_patient, username="nora"))
    mail.outbox.clear()
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        page = Client().get(link)
        assert "This link has expired." in page.content.decode()
        assert "Ask my therapist for a new link" in page.content.decode()
        asked = Client().post(link)
        chart = client_for(clinician).get(new_patient.get_absolute_url()).content.decode()
    assert "The patient asked for a new set-password link" in chart
    assert "We told your therapist" in asked.content.decode()
    assert PortalInvitation.objects.get().renewal_requested_at is not None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["cara@clinic.example"]
    assert "Nora" not in mail.outbox[0].body and "Newman" not in mail.outbox[0].body  # no patient name in email
    # Asking twice records once and mails once.
    Client().post(link)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_new_link_replaces_the_old_one_for_the_same_login(clinician_client, new_patient):
    first = link_in(invite(clinician_client, new_patient, username="nora"))
    second = link_in(invite(clinician_client, new_patient))  # no username asked the second time
    assert first != second
    assert get_user_model().objects.filter(username="nora").count() == 1
    assert "replaced by a newer one" in Client().get(first).content.decode()
    assert Client().get(second).status_code == 302
    assert PortalInvitation.objects.filter(revoked_at__isnull=False).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["not-a-token", "x" * 101])
def test_an_unknown_link_says_so(db, token):
    page = Client().get(reverse("portal:welcome", kwargs={"token": token}))
    assert page.status_code == 200 and "This link is not valid." in page.content.decode()


@pytest.mark.django_db
def test_the_set_password_page_without_a_link_is_a_dead_end(db):
    page = Client().get(reverse("portal:set_password"))
    assert "This link is not valid." in page.content.decode()
    assert 'name="new_password1"' not in page.content.decode()


@pytest.mark.django_db
def test_a_taken_username_is_refused_and_nothing_is_created(clinician_client, new_patient, other_patient_user):
    response = invite(clinician_client, new_patient, username=other_patient_user.username.upper(), follow=True)
    assert "is taken: choose another" in response.content.decode()
    new_patient.refresh_from_db()
    assert new_patient.user is None and not PortalInvitation.objects.exists()


@pytest.mark.django_db
def test_an_empty_username_takes_the_suggestion_numbered_when_taken(clinician_client, new_patient):
    factories.PatientUserFactory(username="NNewman")
    response = invite(clinician_client, new_patient, username="  ")
    assert response.status_code == 200
    new_patient.refresh_from_db()
    assert new_patient.user.username == "nnewman2"
    assert PortalInvitation.objects.get().user == new_patient.user


@pytest.mark.django_db
def test_only_the_care_team_invites(other_clinician_client, patient_client, admin_client_, new_patient):
    assert invite(other_clinician_client, new_patient, username="x1").status_code == 404
    assert invite(patient_client, new_patient, username="x2").status_code == 403
    assert invite(admin_client_, new_patient, username="x3").status_code == 403
    new_patient.refresh_from_db()
    assert new_patient.user is None and not PortalInvitation.objects.exists()
    assert not get_user_model().objects.filter(username__in=["x1", "x2", "x3"]).exists()


@pytest.mark.django_db
def test_the_invite_is_post_only(clinician_client, new_patient):
    url = reverse("patients:portal_invite", kwargs={"public_id": new_patient.public_id})
    assert clinician_client.get(url).status_code == 405


@pytest.mark.django_db
def test_ending_portal_access_stops_the_login_and_open_links(clinician_client, patient, patient_client):
    link = link_in(invite(clinician_client, patient))
    response = clinician_client.post(reverse("patients:portal_end", kwargs={"public_id": patient.public_id}))
    assert response.status_code == 302
    patient.user.refresh_from_db()
    assert not patient.user.is_active
    assert "withdrawn" in Client().get(link).content.decode()
    assert patient_client.get(reverse("programs:my_plan")).status_code == 302  # signed out: inactive user
    # A new invitation turns the same login on again.
    link_in(invite(clinician_client, patient))
    patient.user.refresh_from_db()
    assert patient.user.is_active


@pytest.mark.django_db
def test_a_caregiver_uses_the_same_login_for_a_child(clinician_client, clinician):
    child = factories.PatientFactory(
        care_team=[clinician], first_name="Leo", last_name="Child", **factories.cp_details(gmfcs_level=2)
    )
    link_in(invite(clinician_client, child, username="leo-family", email="parent@example.org"))
    child.refresh_from_db()
    assert child.user.username == "leo-family" and is_patient(child.user)


def test_the_username_suggestion_skips_taken_names(db, clinician):
    factories.PatientUserFactory(username="nnewman")
    factories.PatientUserFactory(username="NNewman2")
    patient = factories.PatientFactory(care_team=[clinician], first_name="Nora", last_name="Newman")
    assert portal.username_suggestion(patient) == "nnewman3"
