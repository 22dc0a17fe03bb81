"""A program keeps the clinician's closing note for its discharge summary.

On SQLite, adding a column rebuilds ``programs_prescription`` and drops its triggers (retrowalk.migration_ops):
the gate of 0011 is created again after the column is added, and again after it is removed. The session-log
guard reads the program's table, so it is dropped for the rebuild and created again with the gate.
"""

from importlib import import_module

from django.db import migrations, models

from retrowalk.migration_ops import sqlite_sql

rules = import_module("programs.migrations.0011_rules_on_sqlite")
GATE = rules.FORWARD
DROP_GATE = rules.BACKWARD
HELP = "The clinician's summary of the program for the discharge summary."


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0015_session_log_stopped_early"),
    ]

    operations = [
        # Undone last: the gate and guard back on the table rebuilt without the column.
        sqlite_sql(DROP_GATE, DROP_GATE + GATE),
        migrations.AddField(
            model_name="historicalprescription",
            name="closing_note",
            field=models.TextField(blank=True, help_text=HELP, max_length=2000, verbose_name="closing note"),
        ),
        migrations.AddField(
            model_name="prescription",
            name="closing_note",
            field=models.TextField(blank=True, help_text=HELP, max_length=2000, verbose_name="closing note"),
        ),
        sqlite_sql(DROP_GATE + GATE, DROP_GATE),
    ]
