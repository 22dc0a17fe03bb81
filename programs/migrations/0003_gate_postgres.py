"""The safety gate held by PostgreSQL itself (programs/gate.py in SQL).

Fires for every row written to programs_prescription, whatever the path:
forms, admin, scripts, objects.create, bulk_create, QuerySet.update, raw SQL.
The screening row is read FOR SHARE, so a void being committed at the same
moment is waited for and then seen. Expiry allows one day of slack for clinics
behind the database's UTC date; the services check the clinic's date exactly.
"""

from django.db import migrations

from retrowalk.migration_ops import postgres_sql

FUNCTION = """
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
CREATE TRIGGER retrowalk_prescription_gate
    BEFORE INSERT OR UPDATE ON programs_prescription
    FOR EACH ROW EXECUTE FUNCTION retrowalk_prescription_gate();
"""
DROP = """
DROP TRIGGER IF EXISTS retrowalk_prescription_gate ON programs_prescription;
DROP FUNCTION IF EXISTS retrowalk_prescription_gate();
"""


class Migration(migrations.Migration):
    dependencies = [("programs", "0002_seed_templates"), ("patients", "0006_screening_immutable_postgres")]

    operations = [postgres_sql(FUNCTION, DROP)]
