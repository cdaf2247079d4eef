from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import AuditEvent


@dataclass(frozen=True)
class AuditFilter:
    actor_username: str = ""
    object_type: str = ""
    object_id: str = ""
    operation: str = ""
    since: datetime | None = None
    until: datetime | None = None

    def as_context(self) -> dict:
        """The filter as stored on the consultation event (ids and names, no free text)."""
        return {
            key: value.isoformat() if isinstance(value, datetime) else value
            for key, value in self.__dict__.items()
            if value
        }


def search_audit_events(*, user, criteria: AuditFilter, page: int = 1, per_page: int = 50) -> Page:
    """Audit events matching the filter, newest first; only for users who may search the log."""
    if not has_capability(user, Capability.SEARCH_AUDIT):
        raise PermissionDenied
    events = AuditEvent.objects.all()
    if criteria.actor_username:
        events = events.filter(actor_username=criteria.actor_username)
    if criteria.object_type:
        events = events.filter(object_type=criteria.object_type)
    if criteria.object_id:
        events = events.filter(object_id=criteria.object_id)
    if criteria.operation:
        events = events.filter(operation=criteria.operation)
    if criteria.since:
        events = events.filter(occurred_at__gte=criteria.since)
    if criteria.until:
        events = events.filter(occurred_at__lt=criteria.until)
    return Paginator(events.order_by("-occurred_at", "-id"), per_page).get_page(page)
