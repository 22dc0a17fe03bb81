"""SECURITY.md "Access": opaque identifiers in URLs; the server, not the form, decides who owns what."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import UUIDConverter

from programs.models import SessionLog
from tests.programs.test_program_services import log_post

# URL arguments that are not UUIDs: one-time secrets, never names or dates.
SECRET_ARGUMENTS = {"uidb64", "token"}


def _app_patterns(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("admin/"):
                continue  # Django's admin: integer ids of templates and accounts, no patient data
            yield from _app_patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def test_app_urls_carry_only_uuids_or_one_time_secrets():
    """SECURITY.md: Public identifiers are UUIDs; no PHI in URLs or query strings"""
    checked = 0
    for route, pattern in _app_patterns(get_resolver().url_patterns):
        for name, converter in getattr(pattern.pattern, "converters", {}).items():
            checked += 1
            assert isinstance(converter, UUIDConverter) or name in SECRET_ARGUMENTS, f"{route}: <{name}>"
    assert checked >= 15


@pytest.mark.django_db
def test_patient_search_is_posted_never_in_the_url(world):
    """SECURITY.md: Public identifiers are UUIDs; no PHI in URLs or query strings"""
    client = world.client("treating")
    assert client.get("/patients/search/", {"q": "Own"}).status_code == 405
    response = client.post("/patients/search/", {"q": "Own"})
    assert response.status_code == 302 and response["Location"] == "/patients/"
    page = client.get("/patients/").content.decode()
    assert "matches “Own”" in page and "?q=" not in page


@pytest.mark.django_db
def test_extra_owner_fields_in_a_post_change_nothing(world):
    """SECURITY.md: Forms list their fields; the server sets owner, prescriber and patient"""
    other_rx = world.other_patient.prescriptions.get()
    client = world.client("patient")
    response = client.post(
        f"/programs/{world.prescription.public_id}/log/",
        log_post(
            entered_by=world.users["treating"].pk,
            prescription=other_rx.pk,
            setting="clinic",
            patient=world.other_patient.pk,
            note="from home",
        ),
    )
    assert response.status_code == 302
    log = SessionLog.objects.get(note="from home")
    assert log.prescription == world.prescription
    assert log.entered_by == world.users["patient"] and log.setting == "home"
    assert not SessionLog.objects.filter(prescription=other_rx).exists()
