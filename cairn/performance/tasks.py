from procrastinate.contrib.django import app

from cairn.audit.context import acting_as
from cairn.performance.rollups import catch_up


@app.periodic(cron="* * * * *", periodic_id="performance-catch-up")
@app.task(name="performance.catch_up", queueing_lock="performance-catch-up")
def fold_new_events(timestamp: int) -> int:
    """Every minute: fold the events committed since the last run into the rollups."""
    with acting_as("task"):
        return catch_up().events
