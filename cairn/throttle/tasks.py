from procrastinate.contrib.django import app

from cairn.throttle.services import forget_old_attempts


@app.periodic(cron="17 * * * *", periodic_id="throttle-prune")
@app.task(name="throttle.prune", queueing_lock="throttle-prune")
def prune_attempts(timestamp: int) -> int:
    """Hourly: drop attempts older than a day (no window is longer)."""
    return forget_old_attempts()
