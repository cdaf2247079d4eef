from procrastinate.contrib.django import app

from cairn.audit.context import acting_as
from cairn.triage.services import raise_pending_cues


@app.periodic(cron="* * * * *", periodic_id="triage-pending-cues")
@app.task(name="triage.raise_pending_cues", queueing_lock="triage-pending-cues")
def raise_cues_on_new_contacts(timestamp: int) -> int:
    """Raise cues on contacts that arrived since the last run (every minute)."""
    with acting_as("task"):
        return raise_pending_cues(limit=500)
