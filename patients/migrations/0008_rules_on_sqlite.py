"""The patient's and the screening's database rules on SQLite too (PostgreSQL holds them since 0003/0006).

- Dates that cannot be in the future (a day of slack for clinics ahead of UTC), named as PostgreSQL's
  CHECK constraints are; SQLite's CHECK cannot read the date, a trigger can.
- A recorded screening cannot be deleted, nor changed except voided once.
"""

from django.db import migrations

from retrowalk.migration_ops import sqlite_sql

# PostgreSQL's constraint name for each date (0003_past_dates_postgres).
PAST_DATES = {
    "date_of_birth": "patient_birth_date_not_future",
    "surgery_date": "patient_surgery_date_not_future",
    "stroke_date": "patient_stroke_date_not_future",
}

# Every column of the screening except the two voiding writes (the PostgreSQL trigger compares whole rows).
SCREENING_COLUMNS = [
    "id",
    "public_id",
    "patient_id",
    "screened_on",
    "screened_by_id",
    "bmwt_seconds",
    "bmwt_unable",
    "tug_seconds",
    "berg",
    "fga",
    "dgi",
    "fsst_seconds",
    "fsst_unable",
    "abc_pct",
    "pbs",
    "gmfcs",
    "falls_last_6_months",
    "bp_systolic",
    "bp_diastolic",
    "unstable_cardiac",
    "complex_arrhythmia",
    "cannot_follow_commands",
    "mmse_below_20",
    "needs_physical_help",
    "recent_lower_limb_injury",
    "effusion_or_limp",
    "weight_bearing_restriction",
    "uncontrolled_seizures",
    "recent_surgery",
    "cannot_follow_verbal",
    "surgeon_clearance_documented",
    "outcome",
    "reasons",
    "valid_until",
    "created_at",
]


def _past_date(event: str, column: str, name: str) -> str:
    return f"""
CREATE TRIGGER retrowalk_{name}_{event.lower()} BEFORE {event} ON patients_patient
WHEN NEW.{column} > date('now', '+1 day')
BEGIN
    SELECT RAISE(ABORT, 'retrowalk: check constraint "{name}": the date cannot be in the future');
END"""


SCREENING = [
    """
CREATE TRIGGER retrowalk_screening_not_deleted BEFORE DELETE ON patients_balancescreening
BEGIN
    SELECT RAISE(ABORT, 'retrowalk: a recorded screening cannot be deleted');
END""",
    f"""
CREATE TRIGGER retrowalk_screening_immutable BEFORE UPDATE ON patients_balancescreening
BEGIN
    SELECT RAISE(ABORT, 'retrowalk: a voided screening cannot be changed') WHERE OLD.voided_at IS NOT NULL;
    SELECT RAISE(ABORT, 'retrowalk: a recorded screening cannot be changed; record a new screening')
    WHERE {" OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in SCREENING_COLUMNS)};
END""",
]

FORWARD = [
    *(_past_date(event, column, name) for column, name in PAST_DATES.items() for event in ("INSERT", "UPDATE")),
    *SCREENING,
]
BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS retrowalk_{name}_{event}"
        for name in PAST_DATES.values()
        for event in ("insert", "update")
    ),
    "DROP TRIGGER IF EXISTS retrowalk_screening_not_deleted",
    "DROP TRIGGER IF EXISTS retrowalk_screening_immutable",
]


class Migration(migrations.Migration):
    dependencies = [("patients", "0007_portal_invitation")]

    operations = [sqlite_sql(FORWARD, BACKWARD)]
