"""Read configuration from environment variables, failing loudly on bad values.

Every error names the variable, so a mistyped deployment stops at start-up with
a message the operator can act on instead of running with a surprising value.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} is required but not set.")
        return default
    return value.strip()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"The environment variable {name} must be true or false (1/0, yes/no, on/off), got {value!r}."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"The environment variable {name} must be a whole number, got {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"The environment variable {name} must be at least {minimum}, got {number}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = env_str(name, default).lower()
    if value not in choices:
        allowed = ", ".join(sorted(choices))
        raise ImproperlyConfigured(f"The environment variable {name} must be one of {allowed}, got {value!r}.")
    return value


# The schemes retrowalk runs on; dj-database-url knows more, which we refuse by name.
_POSTGRES = {"postgres", "postgresql", "pgsql"}


def database_from_url(url: str, *, name: str = "DATABASE_URL", base_dir: Path | None = None) -> dict:
    """Turn ``postgres://user:pass@host:port/db`` or ``sqlite:///path`` into a DATABASES entry (dj-database-url).

    On PostgreSQL each server process keeps a pool of connections (Django's own, psycopg_pool),
    ``DATABASE_POOL_SIZE`` at most; ``0`` turns the pool off and ``DATABASE_CONN_MAX_AGE`` keeps
    connections open instead.
    """
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in _POSTGRES | {"sqlite"}:
        raise ImproperlyConfigured(
            f"The environment variable {name} must start with postgres:// or sqlite:///, "
            f"got scheme {scheme or 'none'!r}."
        )
    try:
        entry = dj_database_url.parse(url, conn_health_checks=scheme != "sqlite")
    except (ValueError, dj_database_url.ParseError) as exc:
        raise ImproperlyConfigured(f"The environment variable {name} is not a valid URL: {exc}") from None
    if scheme == "sqlite":
        path = entry["NAME"]
        if not path or path == ":memory:":
            raise ImproperlyConfigured(f"The environment variable {name} names no SQLite file (sqlite:///FILE).")
        # sqlite:///relative.db keeps the path relative to the project; sqlite:////abs is absolute.
        if base_dir is not None and not Path(path).is_absolute():
            path = str(base_dir / path)
        return {
            "ENGINE": entry["ENGINE"],
            "NAME": path,
            # Writers queue instead of failing with "database is locked" under make run.
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    if not entry["NAME"]:
        raise ImproperlyConfigured(f"The environment variable {name} names no database (postgres://host/NAME).")
    entry["PORT"] = str(entry["PORT"] or "")
    pool_size = env_int("DATABASE_POOL_SIZE", 4, minimum=0)
    max_age = env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0)
    if pool_size and max_age:
        raise ImproperlyConfigured(
            "DATABASE_CONN_MAX_AGE keeps connections without the pool: set DATABASE_POOL_SIZE=0 to use it."
        )
    options = entry.setdefault("OPTIONS", {})
    if pool_size:
        options["pool"] = {"min_size": 1, "max_size": pool_size, "timeout": 10}
    # Parameters sent apart from the SQL, and statements prepared once psycopg has run them five times on a
    # connection: PostgreSQL then reuses its plan for as long as the pool keeps the connection. Django turns
    # preparing off unless asked (for poolers in front of PostgreSQL, such as PgBouncer in transaction mode,
    # that cannot keep a prepared statement): DATABASE_PREPARED_STATEMENTS=false does so here.
    options["server_side_binding"] = env_bool("DATABASE_SERVER_SIDE_BINDING", True)
    options["prepare_threshold"] = 5 if env_bool("DATABASE_PREPARED_STATEMENTS", True) else None
    entry["CONN_MAX_AGE"] = max_age
    entry.pop("DISABLE_SERVER_SIDE_CURSORS", None)
    return entry
