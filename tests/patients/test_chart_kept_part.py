"""The chart's patient part (details, care team, portal, screenings) is kept ({% cache %}) and drawn again
whenever anything it shows changes: through each service, with the clock, for each viewer."""

import re
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from patients import portal
from patients.services import care_team_add, patient_update, screening_void
from tests.conftest import client_for

FACTS = "patients/_patient_facts.html"  # drawn only when the part is not found kept


def chart(client, patient):
    """The chart's HTML, and whether the patient's part was drawn for it."""
    answer = client.get(patient.get_absolute_url())
    assert answer.status_code == 200
    return answer.content.decode(), FACTS in [t.name for t in answer.templates]


def part(page: str) -> str:
    """The patient's part: from the details to the end of the screenings card."""
    start, screenings = page.index('id="details-heading"'), page.index('id="screening-heading"')
    return page[start : page.index("</section>", screenings)]


@pytest.mark.django_db
def test_the_part_is_kept_and_drawn_again_after_each_change(
    production_caches, patient, patient_user, screen, clinician, other_clinician, clinician_client
):
    patient.user = None
    patient.save()
    _, drawn = chart(clinician_client, patient)
    assert drawn
    page, drawn = chart(clinician_client, patient)
    assert not drawn  # kept
    assert "No screening yet" in page and "Invite the patient" in page

    patient_update(patient=patient, by=clinician, data={"record_number": "RW-4242"})
    page, drawn = chart(clinician_client, patient)
    assert drawn and "RW-4242" in part(page)

    care_team_add(patient=patient, by=clinician, clinician=other_clinician)
    page, drawn = chart(clinician_client, patient)
    assert drawn and "Olle Otherteam" in part(page)

    screening = screen(patient)
    page, drawn = chart(clinician_client, patient)
    assert drawn and "valid until" in part(page) and "No screening yet" not in page

    screening_void(screening=screening, by=clinician, reason="near fall on the treadmill")
    page, drawn = chart(clinician_client, patient)
    assert drawn and "near fall on the treadmill" in part(page)

    invitation, _ = portal.portal_invite(patient=patient, by=clinician, username="pown")
    page, drawn = chart(clinician_client, patient)
    assert drawn and "Login <strong>pown</strong>" in part(page) and "No password set yet" in part(page)

    portal.portal_password_set(invitation_id=invitation.pk, password="a long enough password")
    page, drawn = chart(clinician_client, patient)
    assert drawn and "Password set; not signed in yet." in part(page)

    patient.refresh_from_db()
    portal.portal_access_end(patient=patient, by=clinician)
    page, drawn = chart(clinician_client, patient)
    assert drawn and "Portal access ended for <strong>pown</strong>" in part(page)


@pytest.mark.django_db
def test_the_part_follows_the_clock(production_caches, patient, screen, clinician):
    """A set-password link stops working and a screening expires as time passes, with no write at all: the part
    kept a minute before is drawn again a minute after."""
    patient.user = None
    patient.save()
    screening = screen(patient)
    invitation, _ = portal.portal_invite(patient=patient, by=clinician, username="pown")
    with time_machine.travel(invitation.expires_at - timedelta(minutes=1)):
        page, _ = chart(client_for(clinician), patient)  # signed in again: sessions end sooner than links
        assert "works until" in part(page)
    with time_machine.travel(invitation.expires_at + timedelta(minutes=1)):
        page, drawn = chart(client_for(clinician), patient)
        assert drawn and "works until" not in part(page) and "expired." in part(page)
    last_minute = datetime.combine(screening.valid_until, time(23, 59), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(last_minute):
        page, _ = chart(client_for(clinician), patient)
        assert "valid until" in part(page)
    with time_machine.travel(last_minute + timedelta(minutes=2)):
        page, drawn = chart(client_for(clinician), patient)
        assert drawn and "rescreen before prescribing" in part(page) and "valid until" not in part(page)


@pytest.mark.django_db
def test_each_viewer_sees_themself_and_posts_with_their_own_token(
    production_caches, patient, clinician, other_clinician
):
    """Two clinicians of the care team: each is "(you)" in the list, and each posts the kept inputs through the
    forms drawn after the part, which carry that request's CSRF token."""
    patient.care_team.add(other_clinician)
    first, second = client_for(clinician), client_for(other_clinician)
    second.handler.enforce_csrf_checks = True
    page, _ = chart(first, patient)
    assert "Cara Treating (you)" in page and "Olle Otherteam (you)" not in page
    page, _ = chart(second, patient)
    assert "Olle Otherteam (you)" in page and "Cara Treating (you)" not in page
    assert "csrfmiddlewaretoken" not in part(page)  # the kept part holds no token
    for form_id in ("care-team-add", "portal-invite"):
        assert page.count(f'<form id="{form_id}"') == 1 and f'form="{form_id}"' in part(page)
    token = re.search(r'<form id="portal-invite".*?name="csrfmiddlewaretoken" value="([^"]+)"', page, re.S).group(1)
    answer = second.post(
        reverse("patients:portal_invite", kwargs={"public_id": patient.public_id}),
        {"csrfmiddlewaretoken": token, "email": "pat@example.org"},
    )
    assert answer.status_code == 200  # the new link is shown once
    patient.user.refresh_from_db()
    assert patient.user.email == "pat@example.org"
    page, drawn = chart(second, patient)
    assert drawn and "pat@example.org" in part(page)
