"""The PostgreSQL gate (migration 0003) also accepts a finished program's record.

A completed or stopped program walks no more, so recording one whose screening
has since expired is history, not a prescription: validity is checked, as
before, when a row is inserted to be walked, changes screening or patient, or
becomes active. Outcome and protection are checked on every write.
"""

from django.db import migrations

from retrowalk.migration_ops import postgres_sql

FUNCTION = """
CREATE OR REPLACE FUNCTION retrowalk_prescription_gate() RETURNS trigger AS $$
DECLARE
    s RECORD;
    walks boolean;
BEGIN
    SELECT patient_id, outcome, valid_until, voided_at INTO s
      FROM patients_balancescreening WHERE id = NEW.screening_id FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'retrowalk gate: no such screening' USING ERRCODE = 'check_violation';
    END IF;
    IF s.patient_id <> NEW.patient_id THEN
        RAISE EXCEPTION 'retrowalk gate: the screening belongs to another patient' USING ERRCODE = 'check_violation';
    END IF;
    IF s.outcome = 'not_cleared' THEN
        RAISE EXCEPTION 'retrowalk gate: the screening did not clear the patient' USING ERRCODE = 'check_violation';
    END IF;
    IF s.outcome = 'cleared_protected' AND NOT (
        NEW.protection = 'protected' AND NEW.clinic_only AND NEW.harness AND NEW.both_rails
        AND NEW.therapist_sets_speed AND NEW.one_to_one
    ) THEN
        RAISE EXCEPTION 'retrowalk gate: the screening requires protected mode' USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'INSERT' THEN
        walks := NEW.status NOT IN ('completed', 'stopped');
    ELSE
        walks := NEW.screening_id IS DISTINCT FROM OLD.screening_id
            OR NEW.patient_id IS DISTINCT FROM OLD.patient_id
            OR (NEW.status = 'active' AND OLD.status IS DISTINCT FROM 'active');
    END IF;
    IF walks THEN
        IF s.voided_at IS NOT NULL THEN
            RAISE EXCEPTION 'retrowalk gate: the screening is void' USING ERRCODE = 'check_violation';
        END IF;
        IF s.valid_until < CURRENT_DATE - 1 THEN
            RAISE EXCEPTION 'retrowalk gate: the screening has expired' USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""
BACKWARD = """
CREATE OR REPLACE FUNCTION retrowalk_prescription_gate() RETURNS trigger AS $$
DECLARE
    s RECORD;
BEGIN
    SELECT patient_id, outcome, valid_until, voided_at INTO s
      FROM patients_balancescreening WHERE id = NEW.screening_id FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'retrowalk gate: no such screening' USING ERRCODE = 'check_violation';
    END IF;
    IF s.patient_id <> NEW.patient_id THEN
        RAISE EXCEPTION 'retrowalk gate: the screening belongs to another patient' USING ERRCODE = 'check_violation';
    END IF;
    IF s.outcome = 'not_cleared' THEN
        RAISE EXCEPTION 'retrowalk gate: the screening did not clear the patient' USING ERRCODE = 'check_violation';
    END IF;
    IF s.outcome = 'cleared_protected' AND NOT (
        NEW.protection = 'protected' AND NEW.clinic_only AND NEW.harness AND NEW.both_rails
        AND NEW.therapist_sets_speed AND NEW.one_to_one
    ) THEN
        RAISE EXCEPTION 'retrowalk gate: the screening requires protected mode' USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'INSERT'
       OR NEW.screening_id IS DISTINCT FROM OLD.screening_id
       OR NEW.patient_id IS DISTINCT FROM OLD.patient_id
       OR (NEW.status = 'active' AND OLD.status IS DISTINCT FROM 'active') THEN
        IF s.voided_at IS NOT NULL THEN
            RAISE EXCEPTION 'retrowalk gate: the screening is void' USING ERRCODE = 'check_violation';
        END IF;
        IF s.valid_until < CURRENT_DATE - 1 THEN
            RAISE EXCEPTION 'retrowalk gate: the screening has expired' USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("programs", "0006_session_log_guard_postgres")]

    operations = [postgres_sql(FUNCTION, BACKWARD)]
