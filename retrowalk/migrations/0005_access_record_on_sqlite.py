"""The access log is append-only on SQLite too (PostgreSQL holds it since 0003), with the same message."""

from django.db import migrations

from retrowalk.migration_ops import sqlite_sql

FORWARD = [
    f"""
CREATE TRIGGER retrowalk_accessrecord_append_only_{op.lower()} BEFORE {op} ON retrowalk_accessrecord
BEGIN
    SELECT RAISE(ABORT, 'The access log is append-only: {op} refused');
END"""
    for op in ("UPDATE", "DELETE")
]
BACKWARD = [f"DROP TRIGGER IF EXISTS retrowalk_accessrecord_append_only_{op}" for op in ("update", "delete")]


class Migration(migrations.Migration):
    dependencies = [("retrowalk", "0004_user_lookup_indexes")]

    operations = [sqlite_sql(FORWARD, BACKWARD)]
