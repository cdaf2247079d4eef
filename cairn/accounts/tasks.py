from django.contrib.sessions.models import Session
from django.utils import timezone
from procrastinate.contrib.django import app


@app.periodic(cron="17 * * * *", periodic_id="sessions-clear-expired")
@app.task(name="accounts.clear_expired_sessions", queueing_lock="sessions-clear-expired")
def clear_expired_sessions(timestamp: int) -> int:
    """Delete sessions past their expiry (hourly): a staff sign-in, or a member of the
    public's verified address on "Your contacts with us", stays no longer than it is valid."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
