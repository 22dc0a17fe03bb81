"""A session log says whether it ended before its planned walking time (the timer's Stop now, or by choice).

On SQLite, adding a column rebuilds ``programs_sessionlog`` and drops its triggers (retrowalk.migration_ops):
the session-log guard of 0011 is created again after the column is added, and again after it is removed.
"""

from importlib import import_module

from django.db import migrations, models

from retrowalk.migration_ops import sqlite_sql

rules = import_module("programs.migrations.0011_rules_on_sqlite")
GUARD = [sql for sql in rules.FORWARD if "ON programs_sessionlog" in sql]
DROP_GUARD = [
    "DROP TRIGGER IF EXISTS retrowalk_session_log_guard_insert",
    "DROP TRIGGER IF EXISTS retrowalk_session_log_guard_update",
]
HELP = "The session ended before its planned walking time (the timer's Stop now, or by choice)."


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0014_templates_in_spanish"),
    ]

    operations = [
        # Undone last: the guard back on the table rebuilt without the column.
        sqlite_sql([], DROP_GUARD + GUARD),
        migrations.AddField(
            model_name="historicalsessionlog",
            name="stopped_early",
            field=models.BooleanField(default=False, help_text=HELP, verbose_name="stopped early"),
        ),
        migrations.AddField(
            model_name="sessionlog",
            name="stopped_early",
            field=models.BooleanField(default=False, help_text=HELP, verbose_name="stopped early"),
        ),
        sqlite_sql(DROP_GUARD + GUARD, []),
    ]
