"""A consistent copy of the database in one file, taken while the app runs (``manage.py backup``).

- PostgreSQL: ``pg_dump`` in its custom format, which reads every table in one snapshot; restore with
  ``pg_restore`` (README, *Backups*).
- SQLite: SQLite's online backup API (Python's ``sqlite3.Connection.backup``), which copies the pages of
  one consistent state while other connections keep writing; restore by putting the file back.

The copy is written beside its destination under a temporary name and renamed when complete, so a backup
that fails leaves no file that looks like one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from django.db import connections


class BackupError(Exception):
    """The backup could not be written; nothing was left at the destination."""


def default_name(alias: str = "default", *, now: datetime | None = None) -> str:
    """``retrowalk-<database>-<UTC time>.<dump|sqlite3>``."""
    settings = connections[alias].settings_dict
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    name = Path(str(settings["NAME"])).stem if connections[alias].vendor == "sqlite" else settings["NAME"]
    suffix = "sqlite3" if connections[alias].vendor == "sqlite" else "dump"
    return f"retrowalk-{name}-{stamp}.{suffix}"


def backup(destination: Path, alias: str = "default") -> Path:
    """Write a consistent copy of the database ``alias`` to ``destination`` (which must not exist)."""
    destination = destination.resolve()
    if destination.exists():
        raise BackupError(f"{destination} already exists: choose a new file name.")
    if not destination.parent.is_dir():
        raise BackupError(f"The folder {destination.parent} does not exist.")
    partial = destination.with_name(f".{destination.name}.partial")
    connection = connections[alias]
    try:
        if connection.vendor == "postgresql":
            _pg_dump(connection.settings_dict, partial)
        elif connection.vendor == "sqlite":
            _sqlite_backup(connection, partial)
        else:
            raise BackupError(f"Backups of {connection.vendor} databases are not supported.")
        partial.replace(destination)
    finally:
        partial.unlink(missing_ok=True)
    return destination


def _pg_dump(settings: dict, out: Path) -> None:
    program = shutil.which("pg_dump")
    if program is None:
        raise BackupError("pg_dump is not installed (Debian: apt-get install postgresql-client).")
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if settings.get(key):
            env[variable] = str(settings[key])
    if settings.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = settings["OPTIONS"]["sslmode"]
    result = subprocess.run(  # noqa: S603 (a fixed program and arguments, no shell)
        [program, "--format=custom", "--no-owner", f"--file={out}", "--dbname", settings["NAME"]],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip() or result.returncode}")


def _sqlite_backup(connection, out: Path) -> None:
    connection.ensure_connection()
    target = sqlite3.connect(out)
    try:
        with target:
            connection.connection.backup(target)
    except sqlite3.Error as exc:
        raise BackupError(f"The SQLite backup failed: {exc}") from exc
    finally:
        target.close()
