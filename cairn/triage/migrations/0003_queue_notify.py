"""Queue changes announce themselves: NOTIFY cairn_queue for the live service (cairn/live/).

A new contact, a contact's status changing, and a claim taken or let go each
send ``{"contact": <id>, "change": "received"|"claimed"|"released"|"decided"}``
on the channel ``cairn_queue``, delivered to listeners when (and only if) the
transaction commits. The payload carries no personal data: a listener that
wants more asks the main app, which checks who is asking.

PostgreSQL delivers a transaction's identical payloads once, so a claim that
both inserts a triage_claim row and sets the contact's status to
in_assessment announces "claimed" once: both triggers build the text the
same way.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION cairn_queue_contact_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('cairn_queue', '{"contact": ' || NEW.id || ', "change": "' ||
        CASE
            WHEN TG_OP = 'INSERT' THEN 'received'
            WHEN NEW.status IN ('assessed', 'closed') THEN 'decided'
            WHEN NEW.status = 'in_assessment' THEN 'claimed'
            ELSE 'released'
        END || '"}');
    RETURN NULL;
END;
$$;
CREATE TRIGGER contact_queue_received
    AFTER INSERT ON contacts_contact
    FOR EACH ROW EXECUTE FUNCTION cairn_queue_contact_notify();
CREATE TRIGGER contact_queue_status
    AFTER UPDATE OF status ON contacts_contact
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION cairn_queue_contact_notify();

CREATE FUNCTION cairn_queue_claim_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM pg_notify('cairn_queue',
            '{"contact": ' || NEW.contact_id || ', "change": "claimed"}');
    ELSE
        PERFORM pg_notify('cairn_queue',
            '{"contact": ' || OLD.contact_id || ', "change": "released"}');
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER claim_queue_changed
    AFTER INSERT OR DELETE ON triage_claim
    FOR EACH ROW EXECUTE FUNCTION cairn_queue_claim_notify();
"""

REVERSE = """
DROP TRIGGER IF EXISTS claim_queue_changed ON triage_claim;
DROP FUNCTION IF EXISTS cairn_queue_claim_notify();
DROP TRIGGER IF EXISTS contact_queue_status ON contacts_contact;
DROP TRIGGER IF EXISTS contact_queue_received ON contacts_contact;
DROP FUNCTION IF EXISTS cairn_queue_contact_notify();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0002_append_only"),
        ("contacts", "0004_submission_digest"),
    ]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
