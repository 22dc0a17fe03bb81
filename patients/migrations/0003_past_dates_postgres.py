"""Dates that cannot be in the future, held by PostgreSQL (see PAST_DATE_FIELDS).

CURRENT_DATE + 1 leaves one day of slack for clinics ahead of the database's
time zone; model validation checks the clinic's own date exactly.
"""

from django.db import migrations

from retrowalk.migration_ops import postgres_sql

CHECKS = {
    "patient_birth_date_not_future": "date_of_birth <= CURRENT_DATE + 1",
    "patient_surgery_date_not_future": "surgery_date IS NULL OR surgery_date <= CURRENT_DATE + 1",
    "patient_stroke_date_not_future": "stroke_date IS NULL OR stroke_date <= CURRENT_DATE + 1",
}


class Migration(migrations.Migration):
    dependencies = [("patients", "0002_seed_conditions")]

    operations = [
        postgres_sql(
            f'ALTER TABLE patients_patient ADD CONSTRAINT "{name}" CHECK ({condition})',
            f'ALTER TABLE patients_patient DROP CONSTRAINT IF EXISTS "{name}"',
        )
        for name, condition in CHECKS.items()
    ]
