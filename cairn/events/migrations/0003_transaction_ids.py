"""Each event remembers the transaction that wrote it, so rollups fold it in exactly once.

``txid`` (PostgreSQL's ``xid8``, set by the column default) lets the rollup task
take "every event committed since my last run" by snapshot visibility rather than
by id or time, which a transaction committing late would slip past. It is not
on the Django model: nothing in Python reads or writes it (cairn/performance/rollups.py).
"""

from django.db import migrations

FORWARD = """
ALTER TABLE events_domainevent ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX events_domainevent_txid ON events_domainevent (txid);
"""

REVERSE = """
DROP INDEX IF EXISTS events_domainevent_txid;
ALTER TABLE events_domainevent DROP COLUMN IF EXISTS txid;
"""


class Migration(migrations.Migration):
    dependencies = [("events", "0002_append_only")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
