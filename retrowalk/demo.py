"""Demo accounts shared by every app's demo data."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from retrowalk.roles import CLINICIANS, PATIENTS

# The demo clinic's shared password (printed by make run); seed_demo refuses production.
DEMO_PASSWORD = "retrowalk-demo"  # noqa: S105


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    role: str  # "administrator", "clinician" or "patient"
    email: str


DEMO_ACCOUNTS = (
    DemoAccount("admin", "Ada", "Admin", "administrator", "admin@demo.retrowalk.invalid"),
    DemoAccount("clinician", "Cara", "Lindqvist", "clinician", "clinician@demo.retrowalk.invalid"),
    DemoAccount("clinician2", "Tomas", "Okafor", "clinician", "clinician2@demo.retrowalk.invalid"),
    DemoAccount("patient", "Pat", "Jones", "patient", "patient@demo.retrowalk.invalid"),
    DemoAccount("patient2", "Sam", "Reyes", "patient", "patient2@demo.retrowalk.invalid"),
    # Spanish speakers: a clinician of care team A and one of its patients (their language is set by seed_demo).
    DemoAccount("clinica", "Lucía", "Moreno", "clinician", "clinica@demo.retrowalk.invalid"),
    DemoAccount("paciente", "Carmen", "Ruiz", "patient", "paciente@demo.retrowalk.invalid"),
)
# The demo accounts that read retrowalk in Spanish.
SPANISH_ACCOUNTS = ("clinica", "paciente")


def ensure_demo_accounts() -> dict:
    """Create the demo users once; a second run leaves them (and changed passwords) alone."""
    User = get_user_model()
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in (CLINICIANS, PATIENTS)}
    users = {}
    for account in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=account.username,
            defaults={
                "first_name": account.first_name,
                "last_name": account.last_name,
                "email": account.email,
                "is_staff": account.role == "administrator",
                "is_superuser": account.role == "administrator",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if account.role == "clinician":
            user.groups.add(groups[CLINICIANS])
        elif account.role == "patient":
            user.groups.add(groups[PATIENTS])
        users[account.username] = user
    return users
