"""Session-log rules held by PostgreSQL itself (programs.services.session_log_create in SQL).

A session can be logged only on an active program (or, as a late paper log,
on a completed one, dated within it), on or after its start date and not in the
future (one day of slack for clinics ahead of the database's UTC date). Paused,
stopped and draft programs take no new session. The prescription row is read FOR SHARE so a pause being committed at
the same moment is waited for and then seen.
"""

from django.db import migrations

from retrowalk.migration_ops import postgres_sql

FUNCTION = """
CREATE OR REPLACE FUNCTION retrowalk_session_log_guard() RETURNS trigger AS $$
DECLARE
    p RECORD;
BEGIN
    SELECT status, start_date, ended_on INTO p FROM programs_prescription WHERE id = NEW.prescription_id FOR SHARE;
    IF TG_OP = 'INSERT' AND NOT (
        p.status = 'active' OR (p.status = 'completed' AND NEW.session_date <= p.ended_on)
    ) THEN
        RAISE EXCEPTION 'retrowalk: sessions can be logged only on an active program'
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.session_date < p.start_date THEN
        RAISE EXCEPTION 'retrowalk: a session cannot be dated before the program starts'
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.session_date > CURRENT_DATE + 1 THEN
        RAISE EXCEPTION 'retrowalk: a session cannot be dated in the future' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER retrowalk_session_log_guard
    BEFORE INSERT OR UPDATE ON programs_sessionlog
    FOR EACH ROW EXECUTE FUNCTION retrowalk_session_log_guard();
"""
DROP = """
DROP TRIGGER IF EXISTS retrowalk_session_log_guard ON programs_sessionlog;
DROP FUNCTION IF EXISTS retrowalk_session_log_guard();
"""


class Migration(migrations.Migration):
    dependencies = [("programs", "0005_week_started_on_required")]

    operations = [postgres_sql(FUNCTION, DROP)]
