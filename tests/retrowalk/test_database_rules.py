"""The rules the database holds itself (retrowalk.migration_ops) are there on PostgreSQL and on SQLite,
whole, and go with their migrations when those are rolled back."""

import re

import pytest
from django.core.management import call_command
from django.db import connection

from patients.models import BalanceScreening

POSTGRES_TRIGGERS = {
    "accessrecord_append_only",
    "retrowalk_prescription_gate",
    "retrowalk_screening_immutable",
    "retrowalk_session_log_guard",
}
SQLITE_TRIGGERS = {
    *(
        f"retrowalk_patient_{date}_not_future_{event}"
        for date in ("birth_date", "surgery_date", "stroke_date")
        for event in ("insert", "update")
    ),
    "retrowalk_screening_not_deleted",
    "retrowalk_screening_immutable",
    "retrowalk_prescription_gate_insert",
    "retrowalk_prescription_gate_update",
    "retrowalk_session_log_guard_insert",
    "retrowalk_session_log_guard_update",
    "retrowalk_accessrecord_append_only_update",
    "retrowalk_accessrecord_append_only_delete",
}
# Back to before the first migration holding a rule on either database (programs 0003, retrowalk 0003,
# patients 0003), dependants first.
BEFORE_THE_RULES = [("programs", "0002"), ("retrowalk", "0002"), ("patients", "0002")]


def triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}


def expected() -> set[str]:
    return POSTGRES_TRIGGERS if connection.vendor == "postgresql" else SQLITE_TRIGGERS


@pytest.mark.django_db
def test_every_rule_of_the_database_is_there_after_the_migrations():
    """On SQLite a migration that alters a guarded table rebuilds it without its triggers: this fails then."""
    assert triggers() == expected()


@pytest.mark.django_db
def test_the_sqlite_screening_trigger_guards_every_column_but_the_void():
    """PostgreSQL compares whole rows; SQLite names the columns, so a new column must be named too."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's trigger compares the whole row")
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'retrowalk_screening_immutable'")
        (sql,) = cursor.fetchone()
    guarded = set(re.findall(r"NEW\.(\w+) IS NOT OLD\.\1", sql))
    columns = {field.column for field in BalanceScreening._meta.concrete_fields}
    assert guarded == columns - {"voided_at", "void_reason"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rolling_the_migrations_back_takes_their_rules_with_them():
    for app, migration in BEFORE_THE_RULES:
        call_command("migrate", app, migration, verbosity=0)
    try:
        assert triggers() == set()
    finally:
        call_command("migrate", verbosity=0)
    assert triggers() == expected()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_flush_empties_every_table_and_keeps_the_rules(patient, screen, clinician):
    """Deleting a screening or an access record is refused, but ``manage.py flush`` empties the tables as
    PostgreSQL's TRUNCATE does, on SQLite too (retrowalk's flush), and the rules are all there afterwards."""
    from django.db import IntegrityError, transaction

    from retrowalk.models import AccessAction, AccessRecord

    screen(patient)
    AccessRecord.objects.create(
        user=clinician,
        username=clinician.username,
        action=AccessAction.CHART_VIEWED,
        patient_public_id=patient.public_id,
    )
    with pytest.raises(IntegrityError, match="cannot be deleted"), transaction.atomic():
        BalanceScreening.objects.all().delete()
    # As the test runner flushes after a transactional test: sequences left where they are, so that the rows
    # restored for the next test (serialized_rollback) keep their ids without meeting a restarted sequence.
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
    assert not BalanceScreening.objects.exists() and not AccessRecord.objects.exists()
    assert triggers() == expected()
