"""The demo command: the accounts of the README, safe to run twice."""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from retrowalk.demo import DEMO_PASSWORD


def _counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.mark.django_db
def test_seed_demo_creates_the_demo_accounts_with_their_roles():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    User = get_user_model()
    roles = {u.username: set(u.groups.values_list("name", flat=True)) for u in User.objects.all()}
    assert roles["clinician"] == roles["clinician2"] == {"clinicians"}
    assert roles["patient"] == roles["patient2"] == {"patients"}
    assert User.objects.get(username="admin").is_staff
    assert "password for all: retrowalk-demo" in out.getvalue()
    client = Client()
    response = client.post("/accounts/login/", {"username": "clinician", "password": DEMO_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/dashboard/"


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    call_command("seed_demo", stdout=StringIO())
    first = _counts()
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == first


@pytest.mark.django_db
def test_seed_demo_refuses_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refuses to run"):
        call_command("seed_demo", stdout=StringIO())
    assert not get_user_model().objects.filter(username="clinician").exists()


@pytest.mark.django_db
def test_the_demo_clinic_has_a_patient_per_condition_on_both_teams_and_every_outcome():
    from patients.models import BalanceScreening, Patient

    call_command("seed_demo", stdout=StringIO())
    conditions = set(Patient.objects.values_list("condition__code", flat=True))
    assert conditions == {"acl_reconstruction", "knee_oa", "stroke", "cerebral_palsy"}
    teams = {
        name: set(Patient.objects.filter(care_team__username=name).values_list("condition__code", flat=True))
        for name in ("clinician", "clinician2")
    }
    assert (
        teams["clinician"]
        and teams["clinician2"]
        and not (
            set(Patient.objects.filter(care_team__username="clinician").values_list("pk", flat=True))
            & set(Patient.objects.filter(care_team__username="clinician2").values_list("pk", flat=True))
        )
    )
    # Care team A is clinician and clinica (who reads Spanish), on each other's patients; B is clinician2 alone.
    team = {"patient": {"clinician", "clinica"}, "paciente": {"clinician", "clinica"}, "patient2": {"clinician2"}}
    for login, members in team.items():
        assert set(Patient.objects.get(user__username=login).care_team.values_list("username", flat=True)) == members
    for team in ("clinician", "clinician2"):
        outcomes = set(
            BalanceScreening.objects.filter(patient__care_team__username=team).values_list("outcome", flat=True)
        )
        assert outcomes >= {"cleared", "cleared_protected"}
    assert set(BalanceScreening.objects.values_list("outcome", flat=True)) == {
        "cleared",
        "cleared_protected",
        "not_cleared",
    }


@pytest.mark.django_db
def test_the_spanish_demo_logins_read_spanish_and_paciente_has_an_active_program_with_logs():
    from patients.models import Patient
    from programs.models import SessionLog
    from retrowalk.models import Preferences

    call_command("seed_demo", stdout=StringIO())
    assert dict(
        Preferences.objects.filter(user__username__in=["clinica", "paciente"]).values_list("user__username", "language")
    ) == {
        "clinica": "es",
        "paciente": "es",
    }
    carmen = Patient.objects.get(user__username="paciente")
    program = carmen.prescriptions.get(status="active")
    assert program.prescriber.username == "clinica"
    notes = SessionLog.objects.filter(prescription=program).values_list("note", flat=True)
    assert "Bien, sin molestias." in notes
