"""Shared fixtures: the personas of STYLE.md, database helpers, screenings and prescriptions."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.utils import timezone, translation

from patients.services import screening_record, screening_void
from programs.gate import ProtectionFacts
from programs.models import ProgramTemplate
from programs.services import prescription_create
from tests import factories


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language. A request activates its reader's language for the thread
    (LocaleMiddleware) and leaves it active after the response, so a Spanish page opened by one test would
    otherwise make the next test's direct service calls speak Spanish."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_caches():
    """Each test starts with empty caches: a rolled-back test's ids (and the fragments keyed on them) come again."""
    yield
    for cache in caches.all(initialized_only=True):
        cache.clear()


@pytest.fixture
def production_caches(settings):
    """The production caches (settings turn caching off in tests, as under DEBUG), emptied afterwards."""
    settings.CACHES = {
        name: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"test-{name}"}
        for name in ("default", "documents", "fragments")
    }
    yield
    for name in settings.CACHES:
        caches[name].clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests that check hashing itself restore it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config, items):
    """Skip PostgreSQL-only tests, with the reason, when the suite runs on SQLite."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def clinician(db):
    return factories.ClinicianFactory(first_name="Cara", last_name="Treating")


@pytest.fixture
def other_clinician(db):
    return factories.ClinicianFactory(first_name="Olle", last_name="Otherteam")


@pytest.fixture
def patient_user(db):
    return factories.PatientUserFactory(first_name="Pat", last_name="Own")


@pytest.fixture
def other_patient_user(db):
    return factories.PatientUserFactory(first_name="Sam", last_name="Else")


@pytest.fixture
def admin_user(db):
    return factories.AdminFactory(first_name="Ada", last_name="Admin")


def client_for(user):
    """A test client signed in as the user (also used by test modules)."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def clinician_client(clinician):
    return client_for(clinician)


@pytest.fixture
def other_clinician_client(other_clinician):
    return client_for(other_clinician)


@pytest.fixture
def patient_client(patient_user):
    return client_for(patient_user)


@pytest.fixture
def admin_client_(admin_user):
    return client_for(admin_user)


@pytest.fixture
def patient(clinician, patient_user):
    """A knee-OA patient on the treating clinician's team, linked to the patient login."""
    return factories.PatientFactory(care_team=[clinician], user=patient_user, first_name="Pat", last_name="Own")


@pytest.fixture
def other_patient(other_clinician, other_patient_user):
    """A patient of another care team, linked to the other patient login."""
    return factories.PatientFactory(
        care_team=[other_clinician], user=other_patient_user, first_name="Sam", last_name="Else"
    )


# --- Screenings and prescriptions (shared by the patients and programs tests) ---

# Values that give each outcome for a knee-OA patient (older-adult cutoffs).
OUTCOME_VALUES = {
    "cleared": {"berg": 52, "bp_systolic": 120, "bp_diastolic": 80},
    "cleared_protected": {"berg": 40, "bp_systolic": 120, "bp_diastolic": 80},
    "not_cleared": {"berg": 52, "bp_systolic": 210, "bp_diastolic": 95},
}
FULL_PROTECTION = ProtectionFacts(
    protected=True, clinic_only=True, harness=True, both_rails=True, therapist_sets_speed=True, one_to_one=True
)
STANDARD = ProtectionFacts(protected=False)


@pytest.fixture
def screen(clinician):
    def make(patient, outcome="cleared", *, days_ago=0, voided=False, by=None):
        screening = screening_record(
            patient=patient,
            by=by or clinician,
            values={"screened_on": timezone.localdate() - timedelta(days=days_ago), **OUTCOME_VALUES[outcome]},
        )
        assert screening.outcome == outcome
        if voided:
            screening = screening_void(screening=screening, by=by or clinician, reason="Near fall on the treadmill")
        return screening

    return make


@pytest.fixture
def oa_template(db):
    return ProgramTemplate.objects.get(condition__code="knee_oa", is_active=True)


@pytest.fixture
def prescribe(clinician, oa_template):
    def make(patient, screening, *, protection=STANDARD, by=None, template=None, speed=D("2.0"), **kwargs):
        return prescription_create(
            patient=patient,
            template=template or oa_template,
            screening=screening,
            by=by or clinician,
            start_date=timezone.localdate(),
            starting_speed_kmh=speed,
            protection=protection,
            **kwargs,
        )

    return make
