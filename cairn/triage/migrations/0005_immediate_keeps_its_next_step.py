"""The database backs the service: a current Immediate decision always has its next step.

Checked at commit (a deferred constraint trigger), so a regrade may cancel the
old step and create the new one in any order within its transaction. "Has its
next step" means one that is not cancelled: work that is done still counts.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION triage_immediate_has_next_step() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed_contact bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.contact_id ELSE NEW.contact_id END;
    bare bigint;
BEGIN
    SELECT d.id INTO bare
    FROM triage_decision AS d
    WHERE d.contact_id = changed_contact
      AND d.grade = 'immediate'
      AND NOT EXISTS (SELECT 1 FROM triage_decision AS later WHERE later.supersedes_id = d.id)
      AND NOT EXISTS (
          SELECT 1 FROM triage_nextstep AS step
          WHERE step.decision_id = d.id AND step.status <> 'cancelled'
      )
    LIMIT 1;
    IF bare IS NOT NULL THEN
        RAISE EXCEPTION 'immediate decision % has no next step', bare
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER decision_immediate_has_next_step
    AFTER INSERT ON triage_decision
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION triage_immediate_has_next_step();
CREATE CONSTRAINT TRIGGER next_step_immediate_kept
    AFTER UPDATE OR DELETE ON triage_nextstep
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION triage_immediate_has_next_step();
"""

REVERSE = """
DROP TRIGGER IF EXISTS next_step_immediate_kept ON triage_nextstep;
DROP TRIGGER IF EXISTS decision_immediate_has_next_step ON triage_decision;
DROP FUNCTION IF EXISTS triage_immediate_has_next_step();
"""


class Migration(migrations.Migration):
    dependencies = [("triage", "0004_cue_check")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
