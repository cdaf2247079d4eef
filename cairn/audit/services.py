from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone

from cairn.audit.context import current_context
from cairn.audit.models import AuditEvent, Operation, Outcome


def audit_row(
    operation: Operation | str,
    *,
    object_type: str = "",
    object_id: object = "",
    fields: Iterable[str] = (),
    actor: Any = None,
    outcome: Outcome | str = Outcome.SUCCESS,
    purpose: str = "",
    context: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The audit event :func:`record` writes, as field values (attribute name -> value).

    For a service that writes it in the same statement as the change it
    records (see ``cairn.contacts.intake_statement``); everyone else calls
    ``record``.
    """
    action = current_context()
    actor = actor if actor is not None else action.actor()
    return {
        "occurred_at": timezone.now(),
        "actor_id": getattr(actor, "pk", None),
        "actor_username": getattr(actor, "username", "") or "",
        "actor_role": getattr(actor, "role", "") or "",
        "operation": str(operation),
        "object_type": object_type,
        "object_id": str(object_id) if object_id not in (None, "") else "",
        "fields": sorted(set(fields)),
        "channel": action.channel,
        "outcome": str(outcome),
        "purpose": purpose,
        "context": dict(context or {}),
        "request_id": action.request_id,
    }


def record(
    operation: Operation | str,
    *,
    object_type: str = "",
    object_id: object = "",
    fields: Iterable[str] = (),
    actor: Any = None,
    outcome: Outcome | str = Outcome.SUCCESS,
    purpose: str = "",
    context: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event. Call it in the transaction of the action it records.

    The actor, channel and request id come from the current action context
    unless an actor is given. Give field *names* only, never values.
    """
    event = AuditEvent(
        **audit_row(
            operation,
            object_type=object_type,
            object_id=object_id,
            fields=fields,
            actor=actor,
            outcome=outcome,
            purpose=purpose,
            context=context,
        )
    )
    event.save(force_insert=True)
    return event
