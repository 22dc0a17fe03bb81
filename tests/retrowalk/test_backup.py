"""``manage.py backup`` and the README's restore, on the demo clinic: every table comes back row for row,
the restored database still holds the gate itself, and the app serves a chart from it.

Each runs the real commands (migrate, seed_demo, backup, pg_restore) on databases of their own.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

# Run in the restored database: a not-cleared screening, then a program on it written past every service
# (the database must refuse it with the gate's message), then the chart of a demo patient.
CHECK = """
from datetime import date
from django.db import IntegrityError, transaction
from django.test import Client
from django.contrib.auth import get_user_model
from patients.models import Patient
from patients.services import screening_record
from programs.models import Prescription, ProgramTemplate
clinician = get_user_model().objects.get(username="clinician")
patient = Patient.objects.filter(care_team=clinician).order_by("record_number").first()
screening = screening_record(patient=patient, by=clinician, values={
    "screened_on": date.today(), "berg": 52, "bp_systolic": 210, "bp_diastolic": 95})
print("screening", screening.outcome)
try:
    with transaction.atomic():
        Prescription.objects.create(
            patient=patient, screening=screening, prescriber=clinician, status="draft",
            template=ProgramTemplate.objects.filter(condition=patient.condition, is_active=True).first(),
            start_date=date.today(), week_started_on=date.today(), starting_speed_kmh="2.0")
    print("gate: accepted")
except IntegrityError as exc:
    print("gate:", exc)
client = Client()
client.force_login(clinician)
answer = client.get(patient.get_absolute_url(), secure=True)
print("chart", answer.status_code, patient.full_name in answer.content.decode())
"""


def _manage(*args, url: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "RETROWALK_", "DATABASE_"))}
    env.update(DATABASE_URL=url, PYTHONWARNINGS="ignore", DJANGO_ALLOWED_HOSTS="testserver")
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _demo(url: str) -> None:
    _manage("migrate", "--no-input", url=url)
    _manage("seed_demo", "--quiet-logins", url=url)


def _restored_app_holds(url: str) -> None:
    out = _manage("shell", "--command", CHECK, url=url)
    assert "screening not_cleared" in out
    assert "gate: retrowalk gate: the screening did not clear the patient" in out
    assert "chart 200 True" in out


def _sqlite_rows(path: Path) -> dict[str, list]:
    with sqlite3.connect(path) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        # Every row, in an order that does not depend on how the database returns ties.
        return {table: sorted(db.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr) for table in tables}  # noqa: S608


def test_a_sqlite_backup_restores_every_row_and_the_gate(tmp_path):
    live = tmp_path / "clinic.sqlite3"
    _demo(f"sqlite:///{live}")
    out = _manage("backup", "--output", str(tmp_path / "copy.sqlite3"), url=f"sqlite:///{live}")
    assert "Backup written to" in out
    assert not list(tmp_path.glob(".*.partial"))
    # The restore the README shows: the app stopped, the file put back in the database's place.
    restored = tmp_path / "restored.sqlite3"
    shutil.copyfile(tmp_path / "copy.sqlite3", restored)
    rows = _sqlite_rows(live)
    assert rows["patients_patient"] and rows["programs_sessionlog"] and rows["programs_prescription"]
    assert _sqlite_rows(restored) == rows
    _restored_app_holds(f"sqlite:///{restored}")


def test_a_backup_never_overwrites_a_file(tmp_path):
    live = tmp_path / "clinic.sqlite3"
    _manage("migrate", "--no-input", url=f"sqlite:///{live}")
    (tmp_path / "taken.sqlite3").write_text("an earlier backup")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "RETROWALK_", "DATABASE_"))}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "backup", "--output", str(tmp_path / "taken.sqlite3")],
        cwd=ROOT,
        env={**env, "DATABASE_URL": f"sqlite:///{live}"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1 and "already exists: choose a new file name" in result.stderr
    assert (tmp_path / "taken.sqlite3").read_text() == "an earlier backup"


@pytest.fixture
def postgres_databases():
    """Two empty PostgreSQL databases beside the test database, dropped afterwards."""
    import psycopg

    settings = connection.settings_dict
    names = [f"retrowalk_backup_{uuid.uuid4().hex[:8]}_{role}" for role in ("live", "restored")]
    admin = {"host": settings["HOST"], "port": settings["PORT"] or 5432, "user": settings["USER"], "dbname": "postgres"}
    if settings["PASSWORD"]:
        admin["password"] = settings["PASSWORD"]
    with psycopg.connect(**admin, autocommit=True) as db:
        for name in names:
            db.execute(f'CREATE DATABASE "{name}"')
    user = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    base = f"postgres://{user}@{settings['HOST']}:{settings['PORT'] or 5432}"
    yield [f"{base}/{name}" for name in names], admin
    with psycopg.connect(**admin, autocommit=True) as db:
        for name in names:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgres_rows(url: str) -> dict[str, list]:
    import psycopg

    with psycopg.connect(url) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        # Every row, in an order that does not depend on how the database returns ties.
        return {table: sorted(db.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr) for table in tables}  # noqa: S608


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_postgresql_backup_restores_every_row_and_the_gate(tmp_path, postgres_databases):
    (live, restored), admin = postgres_databases
    _demo(live)
    dump = tmp_path / "clinic.dump"
    assert "Backup written to" in _manage("backup", "--output", str(dump), url=live)
    # The restore the README shows, into a new empty database.
    env = {**os.environ, "PGPASSWORD": admin.get("password", "")}
    subprocess.run(  # noqa: S603
        [shutil.which("pg_restore"), "--no-owner", "--exit-on-error", "--dbname", restored, str(dump)],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    rows = _postgres_rows(live)
    assert rows["patients_patient"] and rows["programs_sessionlog"] and rows["programs_prescription"]
    assert _postgres_rows(restored) == rows
    _restored_app_holds(restored)
