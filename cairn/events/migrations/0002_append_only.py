"""Domain events are facts: the table refuses UPDATE and DELETE."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION domain_event_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'domain events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER domain_event_append_only
    BEFORE UPDATE OR DELETE ON events_domainevent
    FOR EACH ROW EXECUTE FUNCTION domain_event_guard();
"""

REVERSE = """
DROP TRIGGER IF EXISTS domain_event_append_only ON events_domainevent;
DROP FUNCTION IF EXISTS domain_event_guard();
"""


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
