"""PostgreSQL refuses any change to a recorded screening except voiding it once,
and refuses deleting one, whatever path the change takes (ORM, update(), SQL)."""

from django.db import migrations

from retrowalk.migration_ops import postgres_sql

FUNCTION = """
CREATE OR REPLACE FUNCTION retrowalk_screening_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'retrowalk: a recorded screening cannot be deleted'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.voided_at IS NOT NULL THEN
        RAISE EXCEPTION 'retrowalk: a voided screening cannot be changed'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (to_jsonb(NEW) - 'voided_at' - 'void_reason') IS DISTINCT FROM (to_jsonb(OLD) - 'voided_at' - 'void_reason') THEN
        RAISE EXCEPTION 'retrowalk: a recorded screening cannot be changed; record a new screening'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER retrowalk_screening_immutable
    BEFORE UPDATE OR DELETE ON patients_balancescreening
    FOR EACH ROW EXECUTE FUNCTION retrowalk_screening_immutable();
"""
DROP = """
DROP TRIGGER IF EXISTS retrowalk_screening_immutable ON patients_balancescreening;
DROP FUNCTION IF EXISTS retrowalk_screening_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("patients", "0005_seed_screening_policies")]

    operations = [postgres_sql(FUNCTION, DROP)]
