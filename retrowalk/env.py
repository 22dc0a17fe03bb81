"""Read configuration from environment variables, failing loudly on bad values.

Every error names the variable, so a mistyped deployment stops at start-up with
a message the operator can act on instead of running with a surprising value.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

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


def _prepare_threshold(value: str | None, name: str) -> int | None:
    """Server-side prepared statements for retrowalk.prepared's queries: on unless ``?prepare_threshold=none``.

    Django binds its own queries on the client, and those are never prepared; only the queries
    retrowalk.prepared runs on every request are, each planned once per connection. A connection
    pooler in transaction mode that cannot keep prepared statements needs ``prepare_threshold=none``.
    """
    if value is None:
        return 5  # psycopg's default; our prepared queries prepare on their first run whatever it is
    if value.lower() in {"", "none"}:
        return None
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: prepare_threshold must be a number or none, not {value!r}.") from None


def database_from_url(url: str, *, name: str = "DATABASE_URL", base_dir: Path | None = None) -> dict:
    """Turn ``postgres://user:pass@host:port/db`` or ``sqlite:///path`` into a DATABASES entry."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"The environment variable {name} is not a valid URL: {exc}.") from None
    scheme = parts.scheme.lower()
    if scheme in {"postgres", "postgresql", "pgsql"}:
        database = unquote(parts.path.lstrip("/"))
        if not database:
            raise ImproperlyConfigured(f"The environment variable {name} names no database (postgres://host/NAME).")
        options = dict(parse_qsl(parts.query))
        options["prepare_threshold"] = _prepare_threshold(options.get("prepare_threshold"), name)
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": database,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    if scheme == "sqlite":
        path = unquote(parts.path)
        # sqlite:///relative.db keeps the path relative to the project; sqlite:////abs is absolute.
        if path.startswith("//"):
            path = path[1:]
        elif path.startswith("/"):
            path = path[1:]
            if base_dir is not None:
                path = str(base_dir / path)
        if not path:
            raise ImproperlyConfigured(f"The environment variable {name} names no SQLite file (sqlite:///FILE).")
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            # Writers queue instead of failing with "database is locked" under make run.
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    raise ImproperlyConfigured(
        f"The environment variable {name} must start with postgres:// or sqlite:///, got scheme {scheme or 'none'!r}."
    )
