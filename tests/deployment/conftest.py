"""App servers as DESIGN.md runs them (gunicorn, production settings) on the test database."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = secrets.token_urlsafe(50)  # every server of one test signs alike


def production_env(database_url: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "RETROWALK_", "DATABASE_"))}
    env.update(
        RETROWALK_ENV="production",
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_BEHIND_TLS_PROXY="true",
        DJANGO_LOG_LEVEL="WARNING",
        **extra,
    )
    return env


def database_url(*, host=None, port=None) -> str:
    """The test database's URL (its committed rows: the tests are transactional)."""
    settings = connection.settings_dict
    user = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    return f"postgres://{user}@{host or settings['HOST']}:{port or settings['PORT'] or 5432}/{settings['NAME']}"


def signs_in_on_a_server(user) -> None:
    """Give the user the test password as the servers store it: tests hash with MD5 for speed, which production
    settings do not accept."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from tests.factories import PASSWORD

    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])


@pytest.fixture(scope="session")
def collected_static():
    """Production serves the hashed static files collectstatic writes (STATIC_ROOT)."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=production_env("sqlite:///unused.sqlite3"),
        check=True,
        timeout=300,
    )
