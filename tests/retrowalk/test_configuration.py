"""Settings come from the environment; bad values stop start-up with the variable's name."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from retrowalk.env import database_from_url, env_bool, env_int

ROOT = Path(__file__).resolve().parents[2]


def _start(**env):
    """Run `manage.py check` in a fresh process with the given environment."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "RETROWALK_"))}
    full.pop("DATABASE_URL", None)
    full.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_development_defaults_start_cleanly():
    result = _start()
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG"),
        ({"DATABASE_URL": "mysql://db/x"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://host:notaport/x"}, "DATABASE_URL"),
        ({"RETROWALK_ENV": "staging"}, "RETROWALK_ENV"),
        ({"RETROWALK_ENV": "production"}, "DJANGO_SECRET_KEY"),
        ({"RETROWALK_ENV": "production", "DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY"),
        ({"RETROWALK_ENV": "production", "DJANGO_SECRET_KEY": "k" * 64}, "DJANGO_ALLOWED_HOSTS"),
        ({"DJANGO_EMAIL_PORT": "twenty-five"}, "DJANGO_EMAIL_PORT"),
    ],
)
def test_a_bad_environment_stops_start_up_naming_the_variable(env, named):
    result = _start(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr.splitlines()[-1]


def test_production_settings_are_hardened():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings as s; import django; django.setup(); "
            "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.LANGUAGE_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)",
        ],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "RETROWALK_"))},
            "DJANGO_SETTINGS_MODULE": "retrowalk.settings",
            "RETROWALK_ENV": "production",
            "DJANGO_SECRET_KEY": "k" * 64,
            "DJANGO_ALLOWED_HOSTS": "retrowalk.example.org",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "True", "True", "31536000", "True"]


def test_env_helpers_parse_and_refuse(monkeypatch):
    monkeypatch.setenv("X_FLAG", "Yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "nah")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", False)
    monkeypatch.setenv("X_NUM", "-3")
    with pytest.raises(ImproperlyConfigured, match="X_NUM must be at least 0"):
        env_int("X_NUM", 1, minimum=0)


def test_database_urls_are_parsed(tmp_path):
    pg = database_from_url("postgres://alice:s%40cret@db.internal:6543/clinic?sslmode=require")
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "clinic",
        "alice",
        "s@cret",
        "db.internal",
        "6543",
    )
    # Django's connection pool on PostgreSQL, with a health check before a connection is reused, and
    # parameters bound on the server and the statements a connection runs again and again prepared.
    assert pg["OPTIONS"] == {
        "sslmode": "require",
        "pool": {"min_size": 1, "max_size": 4, "timeout": 10},
        "server_side_binding": True,
        "prepare_threshold": 5,
    }
    assert (pg["CONN_MAX_AGE"], pg["CONN_HEALTH_CHECKS"]) == (0, True)
    assert database_from_url("sqlite:///rel.db", base_dir=tmp_path)["NAME"] == str(tmp_path / "rel.db")
    assert database_from_url("sqlite:////abs/path.db")["NAME"] == "/abs/path.db"
    with pytest.raises(ImproperlyConfigured, match="names no database"):
        database_from_url("postgres://host/")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL is not a valid URL"):
        database_from_url("postgres://h:notaport/db")
    with pytest.raises(ImproperlyConfigured, match="must start with postgres:// or sqlite:///, got scheme 'mysql'"):
        database_from_url("mysql://h/db")


def test_the_pool_can_be_sized_or_turned_off_for_persistent_connections(monkeypatch):
    monkeypatch.setenv("DATABASE_POOL_SIZE", "12")
    assert database_from_url("postgres://h/db")["OPTIONS"]["pool"]["max_size"] == 12
    monkeypatch.setenv("DATABASE_CONN_MAX_AGE", "60")
    with pytest.raises(ImproperlyConfigured, match="set DATABASE_POOL_SIZE=0"):
        database_from_url("postgres://h/db")
    monkeypatch.setenv("DATABASE_POOL_SIZE", "0")
    entry = database_from_url("postgres://h/db")
    assert ("pool" not in entry["OPTIONS"], entry["CONN_MAX_AGE"]) == (True, 60)


def test_server_side_binding_can_be_turned_off_for_a_transaction_pooler(monkeypatch):
    monkeypatch.setenv("DATABASE_SERVER_SIDE_BINDING", "false")
    assert database_from_url("postgres://h/db")["OPTIONS"]["server_side_binding"] is False
    monkeypatch.setenv("DATABASE_SERVER_SIDE_BINDING", "sometimes")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_SERVER_SIDE_BINDING"):
        database_from_url("postgres://h/db")
    assert "server_side_binding" not in database_from_url("sqlite:////abs/path.db").get("OPTIONS", {})


def test_prepared_statements_can_be_turned_off_for_a_transaction_pooler(monkeypatch):
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "false")
    assert database_from_url("postgres://h/db")["OPTIONS"]["prepare_threshold"] is None
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "later")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_PREPARED_STATEMENTS"):
        database_from_url("postgres://h/db")


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_plans_a_statement_run_again_and_again_once():
    """The settings reach the connection: after five runs psycopg prepares the query on the server."""
    from django.db import connection

    from retrowalk.models import AccessRecord

    for _ in range(6):
        list(AccessRecord.objects.filter(username="nobody-prepared"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert any("nobody" not in sql and "retrowalk_accessrecord" in sql and "$1" in sql for sql in statements)
