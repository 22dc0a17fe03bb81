"""Migration operations for the rules the database itself holds, whatever code writes to it: time-dependent
checks and triggers, written once for PostgreSQL (PL/pgSQL functions) and once for SQLite (triggers that
``SELECT RAISE(ABORT, …)``), each with the same message. Each runs only on its own database.

On SQLite, Django alters a table by building a new one and copying the rows across, which drops the
table's triggers: a migration that alters one of the guarded tables must create its SQLite triggers
again. ``tests/retrowalk/test_database_rules.py`` fails when one is missing.
"""

from django.db import migrations


def _on(vendor: str, forward: str | list[str], backward: str | list[str]) -> migrations.RunPython:
    def run(statements):
        statements = [statements] if isinstance(statements, str) else statements

        def apply(apps, schema_editor):
            if schema_editor.connection.vendor == vendor:
                for sql in statements:
                    schema_editor.execute(sql)

        return apply

    return migrations.RunPython(run(forward), run(backward))


def postgres_sql(forward: str, backward: str) -> migrations.RunPython:
    return _on("postgresql", forward, backward)


def sqlite_sql(forward: list[str], backward: list[str]) -> migrations.RunPython:
    """SQLite runs one statement at a time: a trigger (its whole BEGIN … END) is one."""
    return _on("sqlite", forward, backward)


# Triggers of other tables that read a table about to be rebuilt, kept here between the two operations.
_STASHED: dict[str, list[str]] = {}


def _stash(table: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name <> %s AND sql LIKE %s",
                [table, f"%{table}%"],
            )
            found = cursor.fetchall()
        _STASHED[table] = [sql for _, sql in found]
        for name, _ in found:
            schema_editor.execute(f'DROP TRIGGER "{name}"')

    return run


def _restore(table: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        for sql in _STASHED.pop(table, []):
            schema_editor.execute(sql)

    return run


def sqlite_rebuilding(table: str, operations: list) -> list:
    """``operations`` that make SQLite rebuild ``table``, with the triggers of other tables that read it
    (SQLite refuses the rebuild while they name it) dropped before and created again after, both ways."""
    return [
        migrations.RunPython(_stash(table), _restore(table)),
        *operations,
        migrations.RunPython(_restore(table), _stash(table)),
    ]
