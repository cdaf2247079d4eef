"""A case's updates are its timeline: the table refuses UPDATE and DELETE."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION cases_update_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are an append-only timeline: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER case_update_append_only
    BEFORE UPDATE OR DELETE ON cases_caseupdate
    FOR EACH ROW EXECUTE FUNCTION cases_update_guard();
"""

REVERSE = """
DROP TRIGGER IF EXISTS case_update_append_only ON cases_caseupdate;
DROP FUNCTION IF EXISTS cases_update_guard();
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
