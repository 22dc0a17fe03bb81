"""One small clinic for the security tests: a patient with a screening, an active program, a log and a portal link.

Every URL of the app gets real objects of this patient (``url_for``), so a
request reaches the view's own access rule instead of a 404 for a made-up id.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from decimal import Decimal as D

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from patients.models import Condition, ScreeningPolicy
from programs import services
from programs.models import ProgramTemplate
from retrowalk.models import AccessRecord
from tests import factories
from tests.urlwalk import walk_urls

PERSONAS = ("anonymous", "treating", "other_clinician", "patient", "other_patient", "admin")


@dataclass
class World:
    users: dict
    patient: object
    other_patient: object
    screening: object
    prescription: object
    log: object
    template: object

    def client(self, persona: str, **kwargs) -> Client:
        client = Client(**kwargs)
        if persona != "anonymous":
            client.force_login(self.users[persona])
        return client


@pytest.fixture
def world(
    db,
    clinician,
    other_clinician,
    patient_user,
    other_patient_user,
    admin_user,
    patient,
    other_patient,
    screen,
    prescribe,
):
    screening = screen(patient)
    template = ProgramTemplate.objects.get(condition__code="knee_oa", is_active=True)
    rx = prescribe(patient, screening)
    log = services.session_log_create(
        prescription=rx,
        by=patient_user,
        entry=services.SessionEntry(
            session_date=timezone.localdate(),
            minutes=10,
            speed_kmh=D("2.0"),
            incline_pct=D("0"),
            pain_before=2,
            pain_after=2,
            effort=11,
            event="none",
            rails="both_hands",
        ),
    )
    other_screening = screen(other_patient, by=other_clinician)
    prescribe(other_patient, other_screening, by=other_clinician)
    return World(
        users={
            "treating": clinician,
            "other_clinician": other_clinician,
            "patient": patient_user,
            "other_patient": other_patient_user,
            "admin": admin_user,
        },
        patient=patient,
        other_patient=other_patient,
        screening=screening,
        prescription=rx,
        log=log,
        template=template,
    )


def _admin_object_ids(world: World) -> dict[str, object]:
    # An authenticator of a bystander: the personas themselves stay without one (no code step).
    bystander = factories.UserFactory(username="bystander")
    TOTPDevice.objects.get_or_create(user=bystander, name="phone", defaults={"confirmed": True})
    StaticDevice.objects.get_or_create(user=bystander, name="Backup codes", defaults={"confirmed": True})
    AccessRecord.objects.create(
        user=world.users["treating"], username="x", action="chart_viewed", patient_public_id=world.patient.public_id
    )
    return {
        "auth_user": world.users["treating"].pk,
        "auth_group": Group.objects.get(name="clinicians").pk,
        "patients_condition": Condition.objects.get(code="knee_oa").pk,
        "patients_screeningpolicy": ScreeningPolicy.objects.order_by("pk").first().pk,
        "programs_programtemplate": world.template.pk,
        "retrowalk_accessrecord": AccessRecord.objects.order_by("pk").first().pk,
        "otp_totp_totpdevice": TOTPDevice.objects.order_by("pk").first().pk,
        "otp_static_staticdevice": StaticDevice.objects.order_by("pk").first().pk,
        "axes_accessattempt": AccessAttempt.objects.create(
            username="x", ip_address="10.0.0.1", user_agent="x", failures_since_start=1
        ).pk,
        "axes_accesslog": AccessLog.objects.create(username="x", ip_address="10.0.0.1", user_agent="x").pk,
        "axes_accessfailurelog": AccessFailureLog.objects.create(
            username="x", ip_address="10.0.0.1", user_agent="x"
        ).pk,
    }


@functools.cache
def _walked() -> dict:
    return {u.name: u for u in walk_urls()}


def url_for(name: str, world: World, admin_ids: dict) -> str:
    """The URL of ``name`` with the world's objects as arguments."""
    rx, patient = world.prescription, world.patient
    by_name = {
        "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "portal:welcome": {"token": "not-a-real-token"},
        "programs:next_day": {"public_id": world.log.public_id},
        "programs:plan_pdf": {"public_id": rx.public_id},
        "programs:plan_print": {"public_id": rx.public_id},
        "programs:prescribe": {"public_id": patient.public_id},
        "programs:record": {"public_id": patient.public_id},
    }
    if name in by_name:
        return reverse(name, kwargs=by_name[name])
    if name.startswith("admin:"):
        return _admin_url(name, admin_ids)
    walked = _walked()[name]
    if "00000000-0000-4000-8000-000000000000" not in walked.path:
        return walked.path
    public_id = rx.public_id if name.startswith("programs:") else patient.public_id
    return walked.path.replace("00000000-0000-4000-8000-000000000000", str(public_id))


def _admin_url(name: str, admin_ids: dict) -> str:
    short = name.split(":", 1)[1]
    for model_key, pk in admin_ids.items():
        if short.startswith(model_key + "_"):
            view = short[len(model_key) + 1 :]
            if view in {"change", "delete", "history", "password_change", "config", "qrcode"}:
                key = {"password_change": "id", "config": "pk", "qrcode": "pk"}.get(view, "object_id")
                return reverse(name, kwargs={key: pk})
    return _walked()[name].path


@pytest.fixture
def admin_ids(world):
    return _admin_object_ids(world)


# Tables a request may touch without changing any record: sessions (the idle clock) and the
# login-failure tables of django-axes. Everything else must be byte-for-byte the same.
_VOLATILE = {Session, AccessAttempt, AccessLog, AccessFailureLog}


def fingerprint() -> str:
    """A digest of every row of every table the app owns (and auth's), to prove a refused request changed nothing."""
    digest = hashlib.sha256()
    for model in apps.get_models(include_auto_created=True):
        if model in _VOLATILE:
            continue
        for row in model._base_manager.order_by("pk").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()


# The orders the patient list can be sorted in (patients.selectors.PATIENT_SORTS).
LIST_SORTS = ("name", "-name", "record", "-record", "condition", "-condition", "updated")
# Pages that are files or feeds, not HTML.
NOT_HTML = {
    "programs:plan_pdf",
    "programs:card_pdf",
    "programs:summary_pdf",
    "programs:record",
    "programs:my_record",
    "programs:calendar_feed",
    "healthz",
    "admin:jsi18n",
    "service_worker",
    "web_manifest",
}


def signed_in_pages(world: World, admin_ids: dict) -> list[tuple[str, str, str]]:
    """(label, persona, URL) of every page of the permission matrix a signed-in persona opens (GET 200),
    and the patient list in each of its orders."""
    from tests.security.test_permission_matrix import MATRIX

    pages = []
    for name, (gets, _) in sorted(MATRIX.items()):
        if name in NOT_HTML:
            continue
        for persona, status in zip(PERSONAS, gets.split(), strict=True):
            if persona != "anonymous" and status == "200":
                pages.append((f"{name} as {persona}", persona, url_for(name, world, admin_ids)))
    pages += [(f"patients:list sorted {sort}", "treating", f"/patients/?sort={sort}") for sort in LIST_SORTS]
    return pages
