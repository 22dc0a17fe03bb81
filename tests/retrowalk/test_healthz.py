"""/healthz answers without login: 200 when the database answers, 503 when not."""

import pytest
from django.db import connections
from django.test import Client


@pytest.mark.django_db
def test_healthz_is_ok_when_the_database_answers():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_does_not_answer(tmp_path):
    # A real connection to a database that cannot be reached stands in for the default one.
    original = connections["default"]
    unreachable = dict(original.settings_dict)
    if original.vendor == "postgresql":
        unreachable["PORT"] = "1"  # nothing listens there
        # Its own connection, not one from the pool of the reachable database (the pool is kept by alias).
        unreachable["OPTIONS"] = {k: v for k, v in unreachable["OPTIONS"].items() if k != "pool"}
    else:
        unreachable["NAME"] = str(tmp_path / "missing-dir" / "db.sqlite3")
    broken = original.__class__(unreachable, alias="default")
    connections["default"] = broken
    try:
        response = Client().get("/healthz")
    finally:
        broken.close()
        connections["default"] = original
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down"}
    assert Client().get("/healthz").status_code == 200


@pytest.mark.django_db
def test_healthz_takes_only_get():
    assert Client().post("/healthz").status_code == 405
