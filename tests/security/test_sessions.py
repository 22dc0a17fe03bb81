"""SECURITY.md "Authentication and sessions": hashing, lockout, session limits, rotation, the second factor."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def sign_in(username, password=PASSWORD, *, address="10.0.0.1", client=None):
    client = client or Client(REMOTE_ADDR=address)
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return client, response


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_passwords_are_hashed_with_argon2id_and_validated(settings):
    """SECURITY.md: Argon2id password hashing; 12-character minimum"""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    encoded = make_password("a sufficiently long passphrase")
    assert encoded.startswith("argon2$argon2id$")
    for weak in ("short pw 1", "password1234", "123456789012345"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("walk backward, knees straight")


def test_repeated_failures_lock_the_user_at_that_address_even_with_the_right_password():
    """SECURITY.md: Login lockout per user and address"""
    user = factories.ClinicianFactory()
    for _ in range(4):
        client, response = sign_in(user.username, "wrong password!")
        assert response.status_code == 200 and not signed_in(client)
    _, response = sign_in(user.username, "wrong password!")  # the fifth failure locks
    assert response.status_code == 429
    client, response = sign_in(user.username)
    assert response.status_code == 429
    assert "Sign-in paused for 15 minutes" in response.content.decode()
    assert not signed_in(client)
    # The same user from another address, and another user from this one, are not locked.
    other_address, response = sign_in(user.username, address="10.0.0.2")
    assert response.status_code == 302 and signed_in(other_address)
    colleague = factories.ClinicianFactory()
    _, response = sign_in(colleague.username)
    assert response.status_code == 302
    # After the cool-off the right password works again.
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=16)):
        client, response = sign_in(user.username)
        assert response.status_code == 302 and signed_in(client)


def test_idle_sessions_end_after_15_minutes_and_every_session_after_12_hours():
    """SECURITY.md: Idle logout after 15 minutes, absolute session limit 12 hours"""
    user = factories.ClinicianFactory()
    with time_machine.travel(START, tick=False) as clock:
        client, _ = sign_in(user.username)
        key = client.session.session_key
        clock.shift(timedelta(minutes=14))
        assert client.get("/dashboard/").status_code == 200
        clock.shift(timedelta(minutes=16))
        response = client.get("/dashboard/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=%2Fdashboard%2F"
        assert not Session.objects.filter(session_key=key).exists()
        page = client.get(response["Location"]).content.decode()
        assert "signed out after 15 minutes without activity" in page

    with time_machine.travel(START, tick=False) as clock:
        client, _ = sign_in(user.username)
        key = client.session.session_key
        for _ in range(12 * 6 + 1):  # active every 10 minutes, never idle
            clock.shift(timedelta(minutes=10))
            response = client.get("/dashboard/")
            if response.status_code != 200:
                break
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        assert not Session.objects.filter(session_key=key).exists()
        assert datetime.now(UTC) - START > timedelta(hours=12)
        assert datetime.now(UTC) - START <= timedelta(hours=12, minutes=10)


def test_login_rotates_the_session_key_and_logout_kills_the_cookie():
    """SECURITY.md: New session key at login; logout destroys the session; replayed cookie refused"""
    user = factories.ClinicianFactory()
    client = Client(REMOTE_ADDR="10.0.0.1")
    session = client.session
    session["before"] = True
    session.save()
    before = session.session_key
    sign_in(user.username, client=client)
    after = client.session.session_key
    assert after != before and not Session.objects.filter(session_key=before).exists()
    stolen = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=stolen).exists()
    replay = Client()
    replay.cookies["sessionid"] = stolen
    response = replay.get("/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_password_change_ends_the_user_s_other_sessions():
    """SECURITY.md: Password change ends the user's other sessions"""
    user = factories.ClinicianFactory()
    laptop, _ = sign_in(user.username)
    phone, _ = sign_in(user.username, address="10.0.0.9")
    assert phone.get("/dashboard/").status_code == 200
    new = "a new and long passphrase"
    response = laptop.post(
        "/accounts/password-change/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert laptop.get("/dashboard/").status_code == 200
    response = phone.get("/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def _code(key_hex: str) -> str:
    device = TOTPDevice(key=key_hex)
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def _pending_key(user) -> str:
    return TOTPDevice.objects.get(user=user, confirmed=False).key


def test_every_user_can_turn_on_two_step_and_then_must_enter_a_code(patient_user):
    """SECURITY.md: Second factor (TOTP) for every user, required in production for clinicians and administrators

    The production half is test_deployment.test_production_settings_over_https (a process under production settings).
    """
    client, _ = sign_in(patient_user.username)
    page = client.get("/accounts/two-factor/")
    assert "Set up two-step verification" in page.content.decode() and "<svg" in page.content.decode()
    # A QR code a browser draws: one scalable path, no svg:-prefixed elements (HTML does not render those).
    assert 'viewBox="0 0' in page.content.decode() and "<path" in page.content.decode()
    assert "<svg:" not in page.content.decode()
    # Nothing confirmed until a code proves the app holds the key; the page shows the same key again.
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    key = _pending_key(patient_user)
    assert client.get("/accounts/two-factor/") and _pending_key(patient_user) == key
    wrong = client.post("/accounts/two-factor/", {"code": "000000" if _code(key) != "000000" else "111111"})
    assert "That code does not match" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    # django-otp throttles after a wrong code: the right one is refused until a moment has passed.
    throttled = client.post("/accounts/two-factor/", {"code": _code(key)})
    assert "Too many codes that did not match" in throttled.content.decode()
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=2)):
        done = client.post("/accounts/two-factor/", {"code": _code(key)})
    assert done.status_code == 302 and done["Location"] == "/accounts/two-factor/backup-codes/"
    device = TOTPDevice.objects.get(user=patient_user)
    assert device.confirmed
    # The backup codes are shown once, right after set-up, and kept only in django-otp's static device.
    shown = client.get("/accounts/two-factor/backup-codes/").content.decode()
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", shown)
    assert len(codes) == 10 and "this is the only time they are shown" in shown
    assert sorted(codes) == sorted(
        StaticDevice.objects.get(user=patient_user).token_set.values_list("token", flat=True)
    )
    again = client.get("/accounts/two-factor/backup-codes/").content.decode()
    assert not set(codes) & set(re.findall(r"[a-z2-7]{8}", again)) and "<strong>10</strong> unused" in again

    later, _ = sign_in(patient_user.username, client=Client(REMOTE_ADDR="10.0.0.3"))
    response = later.get("/my-plan/")
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/verify/?next=%2Fmy-plan%2F"
    refused = later.post("/accounts/two-factor/verify/", {"code": "12345", "next": "/my-plan/"})
    assert "Enter the 6 digits" in refused.content.decode()
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=31)):
        accepted = later.post("/accounts/two-factor/verify/", {"code": _code(device.key), "next": "https://evil.test/"})
        assert accepted.status_code == 302 and accepted["Location"] == "/"
        assert later.get("/my-plan/").status_code == 200


def test_a_backup_code_signs_in_once_and_a_new_set_replaces_the_old(patient_user):
    """SECURITY.md: Second factor (TOTP) for every user: a lost phone is not a locked-out clinician"""
    client, _ = sign_in(patient_user.username)
    client.get("/accounts/two-factor/")
    client.post("/accounts/two-factor/", {"code": _code(_pending_key(patient_user))})
    first, second = re.findall(
        r"<li>([a-z2-7]{8})</li>", client.get("/accounts/two-factor/backup-codes/").content.decode()
    )[:2]

    phoneless, _ = sign_in(patient_user.username, client=Client(REMOTE_ADDR="10.0.0.4"))
    used = phoneless.post("/accounts/two-factor/verify/", {"code": first.upper(), "next": "/my-plan/"}, follow=True)
    assert used.redirect_chain[0] == ("/my-plan/", 302)
    assert "You signed in with a backup code; 9 left" in used.content.decode()
    assert not StaticDevice.objects.get(user=patient_user).token_set.filter(token=first).exists()

    again, _ = sign_in(patient_user.username, client=Client(REMOTE_ADDR="10.0.0.5"))
    refused = again.post("/accounts/two-factor/verify/", {"code": first, "next": "/my-plan/"})
    assert refused.status_code == 200 and "not right, or was already used" in refused.content.decode()
    assert again.get("/my-plan/").status_code == 302  # still not through the code step

    # A new set: the old codes stop working, the new ones are shown once.
    made = client.post("/accounts/two-factor/backup-codes/", follow=True).content.decode()
    fresh = re.findall(r"<li>([a-z2-7]{8})</li>", made)
    assert len(fresh) == 10 and second not in fresh
    tokens = set(StaticDevice.objects.get(user=patient_user).token_set.values_list("token", flat=True))
    assert tokens == set(fresh)


def test_when_required_a_clinician_without_an_authenticator_must_set_one_up(settings, clinician):
    """SECURITY.md: Second factor (TOTP) for every user, required in production for clinicians and administrators"""
    settings.RETROWALK_SECOND_FACTOR_ROLES = ("clinician", "administrator")
    client, _ = sign_in(clinician.username)
    for url in ("/dashboard/", "/patients/", "/accounts/preferences/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/", url
    page = client.get("/accounts/two-factor/").content.decode()
    assert "Your account must use two-step verification" in page
    client.post("/accounts/two-factor/", {"code": _code(_pending_key(clinician))})
    assert client.get("/dashboard/").status_code == 200
    # Required users cannot turn it off.
    client.post("/accounts/two-factor/turn-off/")
    assert TOTPDevice.objects.filter(user=clinician).exists()
    assert StaticDevice.objects.get(user=clinician).token_set.count() == 10


def test_an_over_long_username_is_a_wrong_login_not_an_error():
    """Found by the form fuzz: django-axes stored the typed username in a 255-character column."""
    client, response = sign_in("a" * 400, "wrong password!")
    assert response.status_code == 200 and not signed_in(client)
