from procrastinate.contrib.django import app

from cairn.audit.context import acting_as
from cairn.people.markers import sweep_markers
from cairn.people.services import match_pending_contacts


@app.periodic(cron="* * * * *", periodic_id="people-match-contacts")
@app.task(name="people.match_pending_contacts", queueing_lock="people-match-contacts")
def match_new_contacts(timestamp: int) -> int:
    """Match the reporters of contacts that arrived since the last run (every minute)."""
    with acting_as("task"):
        return match_pending_contacts(limit=500)


@app.periodic(cron="15 * * * *", periodic_id="people-sweep-markers")
@app.task(name="people.sweep_markers", queueing_lock="people-sweep-markers")
def sweep_marker_reviews(timestamp: int) -> dict[str, int]:
    """Expire markers past expiry and flag those due for review (hourly; cheap when idle)."""
    with acting_as("task"):
        return sweep_markers()
