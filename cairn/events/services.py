from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from cairn.events.models import DomainEvent


def event_row(
    name: str,
    *,
    subject_type: str,
    subject_id: object,
    occurred_at: datetime | None = None,
    division: str = "",
    channel: str = "",
    data: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The event :func:`record_event` appends, as field values (attribute name -> value).

    For a service that writes it in the same statement as the change it
    describes (see ``cairn.contacts.intake_statement``); everyone else calls
    ``record_event``.
    """
    return {
        "name": name,
        "occurred_at": occurred_at or timezone.now(),
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "division": division,
        "channel": channel,
        "data": dict(data or {}),
    }


def record_event(
    name: str,
    *,
    subject_type: str,
    subject_id: object,
    occurred_at: datetime | None = None,
    division: str = "",
    channel: str = "",
    data: Mapping[str, Any] | None = None,
) -> DomainEvent:
    """Append one domain event. Call it inside the transaction of the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside the transaction of the change it records")
    event = DomainEvent(
        **event_row(
            name,
            subject_type=subject_type,
            subject_id=subject_id,
            occurred_at=occurred_at,
            division=division,
            channel=channel,
            data=data,
        )
    )
    event.save(force_insert=True)
    return event
