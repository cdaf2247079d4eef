from datetime import datetime

from django.db.models import QuerySet

from cairn.events.models import DomainEvent


def events_between(start: datetime, end: datetime, *, name: str | None = None) -> QuerySet:
    """Events in [start, end), oldest first. Events hold no personal data."""
    events = DomainEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    if name:
        events = events.filter(name=name)
    return events.order_by("occurred_at", "id")
