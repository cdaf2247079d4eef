"""A new contact no longer sends NOTIFY: the live service reads the event log for them.

PostgreSQL serialises the commits of transactions that sent a notification: it
holds one lock from before the commit record is written until it is flushed,
so notifying transactions cannot share a WAL flush and each waits for the one
before. Every intake (every channel, the API included) notified, so intake's
commits queued behind one another: measured here, the intake statement cost
about 40 µs more of PostgreSQL's CPU with the trigger than without it, and 8
connections writing flat out managed 4,400 statements a second with it and
5,700 without (bench/README.md, "The live queue and intake"). On storage with
a slow fsync the ceiling would be one intake per fsync.

The live relay (cairn/live/relay.py) now finds new contacts by their
``contact.received`` domain event, written in the same transaction as the
contact, by transaction id every quarter of a second. Claims, releases and
decisions, made by people at human pace, still notify.
"""

from django.db import migrations

FORWARD = "DROP TRIGGER IF EXISTS contact_queue_received ON contacts_contact;"

REVERSE = """
CREATE TRIGGER contact_queue_received
    AFTER INSERT ON contacts_contact
    FOR EACH ROW EXECUTE FUNCTION cairn_queue_contact_notify();
"""


class Migration(migrations.Migration):
    dependencies = [("triage", "0005_immediate_keeps_its_next_step")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
