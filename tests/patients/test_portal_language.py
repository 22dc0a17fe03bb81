"""The portal's emails go out in the recipient's language: the invitation in the one the patient reads
(chosen when inviting, kept as their login's preference), a renewal request in each clinician's, and the
password-reset email in the account holder's."""

import pytest
from django.core import mail
from django.urls import reverse

from patients import portal
from retrowalk.models import Preferences
from retrowalk.services import preferences_update


@pytest.mark.django_db
def test_the_invitation_is_emailed_in_the_language_the_patient_reads(clinician_client, clinician, other_patient):
    from tests import factories

    patient = factories.PatientFactory(care_team=[clinician], user=None, first_name="Nora")
    chart = clinician_client.get(patient.get_absolute_url()).content.decode()
    assert 'name="language"' in chart and "The patient reads" in chart
    url = reverse("patients:portal_invite", kwargs={"public_id": patient.public_id})
    response = clinician_client.post(url, {"username": "nora", "email": "nora@example.org", "language": "es"})
    assert response.status_code == 200
    patient.refresh_from_db()
    assert Preferences.objects.get(user=patient.user).language == "es"
    (email,) = mail.outbox
    assert email.subject == "Su plan de marcha de retrowalk: cree su contraseña"
    assert "Hola, Nora:" in email.body and "Su nombre de usuario: nora" in email.body
    assert "Your username" not in email.body
    assert "<html" in response.content.decode() and "Portal link for" in response.content.decode()  # page: English


@pytest.mark.django_db
def test_an_unknown_language_for_the_invitation_is_refused(clinician_client, clinician):
    from tests import factories

    patient = factories.PatientFactory(care_team=[clinician], user=None)
    url = reverse("patients:portal_invite", kwargs={"public_id": patient.public_id})
    response = clinician_client.post(url, {"username": "nora", "email": "", "language": "xx"}, follow=True)
    assert "Select a valid choice" in response.content.decode()
    patient.refresh_from_db()
    assert patient.user is None and not mail.outbox


@pytest.mark.django_db
def test_a_renewal_request_reaches_each_clinician_in_their_own_language(clinician, other_clinician, patient):
    other_clinician.email = "lucia@clinic.example"
    other_clinician.save()
    clinician.email = "cara@clinic.example"
    clinician.save()
    patient.care_team.add(other_clinician)
    preferences_update(user=other_clinician, speed_unit="kmh", language="es")
    _invitation, token = portal.portal_invite(patient=patient, by=clinician, username="pown")
    portal.portal_access_end(patient=patient, by=clinician)  # the link is withdrawn: the patient asks again
    mail.outbox.clear()
    from django.test import Client

    response = Client().post(reverse("portal:welcome", kwargs={"token": token}), {"action": "renew"})
    assert response.status_code == 200
    subjects = {email.to[0]: email.subject for email in mail.outbox}
    assert subjects == {
        "cara@clinic.example": "retrowalk: a patient asked for a new portal link",
        "lucia@clinic.example": "retrowalk: un paciente ha pedido un enlace nuevo del portal",
    }


@pytest.mark.django_db
def test_the_password_reset_email_speaks_the_account_holder_s_language(client, patient_user):
    patient_user.email = "pat@example.org"
    patient_user.save()
    preferences_update(user=patient_user, speed_unit="kmh", language="es")
    response = client.post(reverse("password_reset"), {"email": "pat@example.org"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    (email,) = mail.outbox
    assert email.subject == "Restablezca su contraseña de retrowalk"
    assert "Si fue usted, elija una contraseña nueva aquí" in email.body
