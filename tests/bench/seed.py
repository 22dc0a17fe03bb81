"""Benchmark data: one therapist's caseload built through the app's services, then copied in SQL.

A caseload is CASELOAD patients of one clinician, every one screened, most on a
12-week knee-OA program with about ten logged sessions; a few have had a near
fall (program paused, screening void) and a few are screened but not yet
prescribed. The first caseload is made by the real services (screening rules,
the gate, the session-log rules), so every row is one the app itself would
write. Larger sizes copy that caseload in SQL, each copy with a clinician of its
own, in one ``INSERT … SELECT`` per table: 100,000 patients take a few minutes.

A clinic grows by adding therapists, not by giving one therapist more patients,
so the benchmark clinician's caseload is the same at every size and only the
database around it grows.

    DATABASE_URL=postgres://…/retrowalk_bench_1k python -m tests.bench.seed --size 1000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

CASELOAD = 100  # patients per therapist: a product default for the benchmark, not a clinical number
WEEKS = 12
LOGS = 10
SEED_VERSION = 1
PASSWORD = "bench-password-2026"
TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test key; the load generator signs in with it
CLINICIAN = "bench-clinician"
PATIENT = "bench-patient"
SEARCH_NAME = "Lindqvist"  # one in ten of the caseload carries this last name

_FIRST = ("Ada", "Bo", "Cara", "Dana", "Eli", "Frida", "Gus", "Hana", "Ivo", "Jon")
_LAST = ("Berg", SEARCH_NAME, "Okafor", "Reyes", "Strand", "Bello", "Nakamura", "Haddad", "Moreau", "Kowalski")


@dataclass(frozen=True)
class Caseload:
    clinician: object
    patient_user: object
    patients: list


def bench_template():
    """A 12-week knee-OA template: the shipped one's weeks, the last dose held to week 12."""
    from programs.models import ProgramTemplate

    name = f"Knee osteoarthritis — {WEEKS} weeks (benchmark)"
    existing = ProgramTemplate.objects.filter(name_en=name, is_active=True).first()
    if existing:
        return existing
    shipped = ProgramTemplate.objects.get(condition__code="knee_oa", is_active=True, weeks__lt=WEEKS)
    rows = list(shipped.week_rows.order_by("week"))
    template = ProgramTemplate.objects.get(pk=shipped.pk)
    template.pk = template.id = None
    template.lineage = uuid.uuid4()
    template.version, template.supersedes, template.name_en, template.weeks = 1, None, name, WEEKS
    template.name_es = f"Artrosis de rodilla — {WEEKS} semanas (prueba de rendimiento)"
    template.full_clean()
    template.save()
    for number in range(1, WEEKS + 1):
        row = rows[min(number, len(rows)) - 1]
        row.pk = row.id = None
        row.template, row.week = template, number
        row.full_clean()
        row.save()
    return template


def build_caseload(*, size: int = CASELOAD, clinician_name: str = CLINICIAN, today: date | None = None) -> Caseload:
    """A caseload written through the app's services (usable on SQLite too: the query-count test uses it)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from patients.models import Condition, Patient
    from patients.services import screening_record
    from programs import services
    from programs.gate import ProtectionFacts
    from retrowalk.roles import CLINICIANS, PATIENTS

    today = today or timezone.localdate()
    User = get_user_model()
    clinician = User.objects.create_user(
        clinician_name, f"{clinician_name}@bench.retrowalk.invalid", PASSWORD, first_name="Cara", last_name="Bench"
    )
    clinician.groups.add(Group.objects.get_or_create(name=CLINICIANS)[0])
    patient_user = User.objects.create_user(
        f"{clinician_name}-{PATIENT}", "", PASSWORD, first_name="Pat", last_name="Bench"
    )
    patient_user.groups.add(Group.objects.get_or_create(name=PATIENTS)[0])
    template = bench_template()
    condition = Condition.objects.get(code="knee_oa")
    start = today - timedelta(days=2 * LOGS + 1)  # inside the 30-day screening validity
    patients = []
    for i in range(size):
        patient = Patient.objects.create(
            record_number=f"{clinician_name[:20]}-{i:05d}",
            first_name=_FIRST[i % len(_FIRST)],
            last_name=_LAST[(i // len(_FIRST)) % len(_LAST)],
            date_of_birth=date(1940 + i % 40, 1 + i % 12, 1 + i % 28),
            sex=("female", "male")[i % 2],
            condition=condition,
            comfortable_forward_speed_kmh=Decimal("4.0"),
            affected_side="right",
            kl_grade=2,
            user=patient_user if i == 0 else None,
        )
        patient.care_team.add(clinician)
        patients.append(patient)
        screening = screening_record(
            patient=patient,
            by=clinician,
            values={"screened_on": start, "berg": 52, "bp_systolic": 120, "bp_diastolic": 80},
        )
        if i % 20 == 19:
            continue  # screened, not yet prescribed
        rx = services.prescription_create(
            patient=patient,
            template=template,
            screening=screening,
            by=clinician,
            start_date=start,
            starting_speed_kmh=Decimal("2.0"),
            baseline_pain=1,
            protection=ProtectionFacts(protected=False),
        )
        for n in range(LOGS):
            near_fall = i % 20 == 9 and n == LOGS - 1
            services.session_log_create(
                prescription=rx,
                by=patient_user if i == 0 and n % 2 else clinician,
                entry=services.SessionEntry(
                    session_date=start + timedelta(days=2 * n),
                    minutes=12,
                    speed_kmh=Decimal("2.0"),
                    incline_pct=Decimal("0"),
                    pain_before=1,
                    pain_after=2 + (n % 3 if i % 10 == 3 else 0),
                    effort=12,
                    event="near_fall" if near_fall else "none",
                    rails="both_hands",
                    note="",
                ),
            )
    return Caseload(clinician=clinician, patient_user=patient_user, patients=patients)


# --- Copies in SQL (PostgreSQL) ---

# The caseload's tables in insert order; history tables are not copied (the copies have no past).
_COPIED = (
    "auth.User",
    "auth.User_groups",
    "patients.Patient",
    "patients.Patient_care_team",
    "patients.BalanceScreening",
    "programs.Prescription",
    "programs.PrescriptionWeek",
    "programs.SessionLog",
    "programs.ProgressionDecision",
)


def _models():
    from django.apps import apps

    found = []
    for label in _COPIED:
        app, name = label.split(".")
        if "_" in name:
            owner, field = name.split("_", 1)
            found.append(apps.get_model(app, owner)._meta.get_field(field).remote_field.through)
        else:
            found.append(apps.get_model(app, name))
    return found


_TEXT = ("CharField", "SlugField", "EmailField")


def copy_caseload(caseload: Caseload, copies: int) -> None:
    """Copy the caseload ``copies`` times, each copy with its own clinician, in one statement per table."""
    from django.contrib.auth import get_user_model
    from django.core.management.color import no_style
    from django.db import connection

    User = get_user_model()
    models = _models()
    clinician_id = caseload.clinician.pk
    patient_ids = [p.pk for p in caseload.patients]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        strides = {}
        for model in models:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {quote(model._meta.db_table)}")  # noqa: S608
            strides[model] = cursor.fetchone()[0]
        # Rows already copied are the data; the triggers that guard single writes are not re-run.
        cursor.execute("SET LOCAL session_replication_role = replica")
        for model in models:
            table = model._meta.db_table
            columns, values = [], []
            unique = {c.fields[0] for c in model._meta.constraints if getattr(c, "fields", ()) and len(c.fields) == 1}
            for field in model._meta.concrete_fields:
                column = quote(field.column)
                columns.append(column)
                target = field.related_model if field.is_relation else None
                if field.primary_key:
                    values.append(f"{column} + k * {strides[model]}")
                elif target is User:
                    # Every copied row points at the copy's clinician (the portal login is not copied).
                    values.append("NULL" if field.null else f"{clinician_id} + k * {strides[User]}")
                elif target in strides:
                    values.append(f"{column} + k * {strides[target]}")
                elif field.get_internal_type() == "UUIDField" and field.unique:
                    values.append("gen_random_uuid()")
                elif (field.unique or field.name in unique) and field.get_internal_type() in (
                    "CharField",
                    "SlugField",
                    "EmailField",
                ):
                    values.append(f"{column} || '-' || k")
                else:
                    values.append(column)
            where = _scope(model, clinician_id, patient_ids)
            cursor.execute(
                f"INSERT INTO {quote(table)} ({', '.join(columns)}) "  # noqa: S608 - names from the models
                f"SELECT {', '.join(values)} FROM {quote(table)} CROSS JOIN generate_series(1, %s) AS k WHERE {where}",
                [copies],
            )
        cursor.execute("SET LOCAL session_replication_role = origin")
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def _scope(model, clinician_id: int, patient_ids: list[int]) -> str:
    """The caseload's rows of one table, as SQL (the ids are integers read from the database)."""
    patients = f"patient_id IN ({', '.join(str(int(i)) for i in patient_ids)})"
    programs = f"prescription_id IN (SELECT id FROM programs_prescription WHERE {patients})"  # noqa: S608
    return {
        "auth_user": f"id = {int(clinician_id)}",
        "auth_user_groups": f"user_id = {int(clinician_id)}",
        "patients_patient": patients.replace("patient_id", "id", 1),
        "patients_patient_care_team": patients,
        "patients_balancescreening": patients,
        "programs_prescription": patients,
        "programs_prescriptionweek": programs,
        "programs_sessionlog": programs,
        "programs_progressiondecision": programs,
    }[model._meta.db_table]


# --- The command ---


def _seeded(cursor) -> int | None:
    cursor.execute("SELECT to_regclass('bench_seed') IS NOT NULL")
    if not cursor.fetchone()[0]:
        return None
    cursor.execute("SELECT size FROM bench_seed WHERE version = %s", [SEED_VERSION])
    row = cursor.fetchone()
    return row[0] if row else None


def seed(size: int, *, out=sys.stdout) -> bool:
    """Seed the database of DATABASE_URL at ``size`` patients; False when it already holds that seed."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if size % CASELOAD:
        raise SystemExit(f"--size must be a multiple of {CASELOAD}")
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        if _seeded(cursor) == size:
            return False
    from patients.models import Patient

    if Patient.objects.exists():
        raise SystemExit("the benchmark database already holds other data: point DATABASE_URL at an empty database")
    started = time.monotonic()
    with transaction.atomic():
        caseload = build_caseload(today=timezone.localdate())
        TOTPDevice.objects.create(user=caseload.clinician, name="benchmark", key=TOTP_KEY, confirmed=True)
        out.write(f"  caseload of {CASELOAD} built through the services in {time.monotonic() - started:.0f} s\n")
        copy_caseload(caseload, size // CASELOAD - 1)
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_seed (size integer NOT NULL, version integer NOT NULL)")
            cursor.execute("INSERT INTO bench_seed VALUES (%s, %s)", [size, SEED_VERSION])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    out.write(f"  {Patient.objects.count():,} patients seeded in {time.monotonic() - started:.0f} s\n")
    return True


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True, help=f"patients (a multiple of {CASELOAD})")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.settings")
    import django

    django.setup()
    if not seed(args.size):
        print(f"  already seeded with {args.size:,} patients")


if __name__ == "__main__":
    main()
