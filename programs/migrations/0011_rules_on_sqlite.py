"""The prescription gate and the session-log guard on SQLite too, with PostgreSQL's messages
(0003/0007_gate…, 0006_session_log_guard_postgres): whatever writes a row — a service, the shell,
``objects.create``, ``bulk_create``, ``QuerySet.update`` or SQL — the database refuses

- a program on another patient's screening, on one that did not clear the patient, or without every
  protective measure when the screening requires protected mode (on every write);
- a program to be walked on a void or expired screening (when a row is inserted to be walked, changes
  its screening or patient, or becomes active; a finished program's record is history);
- a session log on a program that is not active (or a completed one, dated within it), dated before the
  program started or in the future (a day of slack, as on PostgreSQL).
"""

from django.db import migrations

from retrowalk.migration_ops import sqlite_sql

SCREENING = "patients_balancescreening s WHERE s.id = NEW.screening_id"
PROTECTED = (
    "NEW.protection = 'protected' AND NEW.clinic_only AND NEW.harness AND NEW.both_rails"
    " AND NEW.therapist_sets_speed AND NEW.one_to_one"
)
INSERT_WALKS = "NEW.status NOT IN ('completed', 'stopped')"
UPDATE_WALKS = (
    "(NEW.screening_id IS NOT OLD.screening_id OR NEW.patient_id IS NOT OLD.patient_id"
    " OR (NEW.status = 'active' AND OLD.status IS NOT 'active'))"
)


def _gate(event: str, walks: str) -> str:
    return f"""
CREATE TRIGGER retrowalk_prescription_gate_{event.lower()} BEFORE {event} ON programs_prescription
BEGIN
    SELECT RAISE(ABORT, 'retrowalk gate: no such screening')
    WHERE NOT EXISTS (SELECT 1 FROM patients_balancescreening WHERE id = NEW.screening_id);
    SELECT RAISE(ABORT, 'retrowalk gate: the screening belongs to another patient')
    FROM {SCREENING} AND s.patient_id <> NEW.patient_id;
    SELECT RAISE(ABORT, 'retrowalk gate: the screening did not clear the patient')
    FROM {SCREENING} AND s.outcome = 'not_cleared';
    SELECT RAISE(ABORT, 'retrowalk gate: the screening requires protected mode')
    FROM {SCREENING} AND s.outcome = 'cleared_protected' AND NOT ({PROTECTED});
    SELECT RAISE(ABORT, 'retrowalk gate: the screening is void')
    FROM {SCREENING} AND {walks} AND s.voided_at IS NOT NULL;
    SELECT RAISE(ABORT, 'retrowalk gate: the screening has expired')
    FROM {SCREENING} AND {walks} AND s.valid_until < date('now', '-1 day');
END"""


PROGRAM = "programs_prescription p WHERE p.id = NEW.prescription_id"
DATES = f"""
    SELECT RAISE(ABORT, 'retrowalk: a session cannot be dated before the program starts')
    FROM {PROGRAM} AND NEW.session_date < p.start_date;
    SELECT RAISE(ABORT, 'retrowalk: a session cannot be dated in the future')
    WHERE NEW.session_date > date('now', '+1 day');"""

FORWARD = [
    _gate("INSERT", INSERT_WALKS),
    _gate("UPDATE", UPDATE_WALKS),
    f"""
CREATE TRIGGER retrowalk_session_log_guard_insert BEFORE INSERT ON programs_sessionlog
BEGIN
    SELECT RAISE(ABORT, 'retrowalk: sessions can be logged only on an active program')
    FROM {PROGRAM} AND NOT (p.status = 'active' OR (p.status = 'completed' AND NEW.session_date <= p.ended_on));{DATES}
END""",
    f"""
CREATE TRIGGER retrowalk_session_log_guard_update BEFORE UPDATE ON programs_sessionlog
BEGIN{DATES}
END""",
]
BACKWARD = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "retrowalk_prescription_gate_insert",
        "retrowalk_prescription_gate_update",
        "retrowalk_session_log_guard_insert",
        "retrowalk_session_log_guard_update",
    )
]


class Migration(migrations.Migration):
    dependencies = [("programs", "0010_session_log_walked_index"), ("patients", "0008_rules_on_sqlite")]

    operations = [sqlite_sql(FORWARD, BACKWARD)]
