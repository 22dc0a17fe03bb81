"""A screening may record the comfortable gait speed (m/s), to follow change (CLINICAL.md section 8).

On SQLite, adding the column rebuilds ``patients_balancescreening``: the triggers of other tables that read
it (the prescription gate) are kept aside for the rebuild, and the screening's own rules (0008) are created
again, the immutability check comparing the new column too.
"""

from decimal import Decimal
from importlib import import_module

import django.core.validators
from django.db import migrations, models

from retrowalk.migration_ops import sqlite_rebuilding, sqlite_sql

rules = import_module("patients.migrations.0008_rules_on_sqlite")
DROP = [
    "DROP TRIGGER IF EXISTS retrowalk_screening_not_deleted",
    "DROP TRIGGER IF EXISTS retrowalk_screening_immutable",
]


def screening_rules(columns: list[str]) -> list[str]:
    return [
        sql.replace(
            " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in rules.SCREENING_COLUMNS),
            " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in columns),
        )
        for sql in rules.SCREENING
    ]


BEFORE = screening_rules(rules.SCREENING_COLUMNS)
AFTER = screening_rules([*rules.SCREENING_COLUMNS, "gait_speed_mps"])
FIELD = models.DecimalField(
    blank=True,
    decimal_places=2,
    help_text="Walking forward at a comfortable pace, e.g. the 10-metre walk test.",
    max_digits=3,
    null=True,
    validators=[
        django.core.validators.MinValueValidator(Decimal("0.05")),
        django.core.validators.MaxValueValidator(Decimal("3")),
    ],
    verbose_name="comfortable gait speed (m/s)",
)


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0011_conditions_in_spanish"),
    ]

    operations = [
        migrations.AddField(model_name="historicalbalancescreening", name="gait_speed_mps", field=FIELD),
        *sqlite_rebuilding(
            "patients_balancescreening",
            [
                # Undone last: the rules back on the table rebuilt without the column.
                sqlite_sql(DROP, DROP + BEFORE),
                migrations.AddField(model_name="balancescreening", name="gait_speed_mps", field=FIELD),
                migrations.AddConstraint(
                    model_name="balancescreening",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("gait_speed_mps__isnull", True))
                        | models.Q(("gait_speed_mps__gte", Decimal("0.05")), ("gait_speed_mps__lte", 3)),
                        name="balancescreening_gait_speed_mps_range",
                        violation_error_message="The gait speed must be between 0.05 and 3.",
                    ),
                ),
                sqlite_sql(DROP + AFTER, DROP),
            ],
        ),
    ]
