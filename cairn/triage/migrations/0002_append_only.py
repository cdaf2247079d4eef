"""Assessments and decisions are versions: the tables refuse UPDATE and DELETE."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION triage_version_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only versions: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER assessment_append_only
    BEFORE UPDATE OR DELETE ON triage_assessment
    FOR EACH ROW EXECUTE FUNCTION triage_version_guard();
CREATE TRIGGER decision_append_only
    BEFORE UPDATE OR DELETE ON triage_decision
    FOR EACH ROW EXECUTE FUNCTION triage_version_guard();
"""

REVERSE = """
DROP TRIGGER IF EXISTS decision_append_only ON triage_decision;
DROP TRIGGER IF EXISTS assessment_append_only ON triage_assessment;
DROP FUNCTION IF EXISTS triage_version_guard();
"""


class Migration(migrations.Migration):
    dependencies = [("triage", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
