"""Reads for dispatch: the board (open incidents and resources), one incident by its ids.

The board shows where each incident is and what it is: personal data, so
reading it takes ``user=``, needs the DISPATCH capability and is audited as a
consultation. It runs a fixed number of queries however many incidents and
resources there are (a test counts them).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, Prefetch, Q, Value, When
from django.utils import timezone

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.cases.categories import category_label
from cairn.dispatch.models import (
    OPEN_STATUSES,
    DispatchIncident,
    Grade,
    IncidentStatus,
    Resource,
    ResourceAssignment,
    ResourceStatus,
)


@dataclass(frozen=True)
class BoardIncident:
    incident: DispatchIncident
    category: str  # the label
    place: str  # address and postcode, or ""
    minutes_open: int
    resources: list[Resource] = field(default_factory=list)


@dataclass(frozen=True)
class BoardResource:
    resource: Resource
    on_incident: DispatchIncident | None


@dataclass(frozen=True)
class Board:
    incidents: list[BoardIncident]
    resources: list[BoardResource]
    failed: int  # incidents whose hand-off failed: shown loudly
    at: datetime


def _require(user: Any) -> None:
    if not has_capability(user, Capability.DISPATCH):
        raise PermissionDenied


def _open_assignments() -> Prefetch:
    return Prefetch(
        "assignments",
        queryset=ResourceAssignment.objects.filter(cleared_at__isnull=True).select_related(
            "resource"
        ),
        to_attr="open_assignments",
    )


def _place(incident: DispatchIncident) -> str:
    contact = incident.contact
    return ", ".join(part for part in (contact.address_text, contact.postcode) if part.strip())


def board(*, user: Any, division: str = "") -> Board:
    """Open incidents (failed hand-offs first, then Immediate, then oldest) and every resource."""
    _require(user)
    now = timezone.now()
    incidents = (
        DispatchIncident.objects.filter(status__in=OPEN_STATUSES)
        .select_related("case", "contact", "division")
        .prefetch_related(_open_assignments())
        .annotate(
            urgency=SqlCase(
                When(status=IncidentStatus.FAILED, then=Value(0)),
                When(grade=Grade.IMMEDIATE, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("urgency", "raised_at", "pk")
    )
    resources = Resource.objects.select_related("division").prefetch_related(
        Prefetch(
            "assignments",
            queryset=ResourceAssignment.objects.filter(cleared_at__isnull=True).select_related(
                "incident__contact"
            ),
            to_attr="open_assignments",
        )
    )
    if division:
        incidents = incidents.filter(division_id=division)
        resources = resources.filter(division_id=division)
    rows = [
        BoardIncident(
            incident=incident,
            category=category_label(incident.category),
            place=_place(incident),
            minutes_open=int((now - incident.raised_at).total_seconds() // 60),
            resources=[assignment.resource for assignment in incident.open_assignments],
        )
        for incident in incidents
    ]
    units = [
        BoardResource(
            resource=resource,
            on_incident=resource.open_assignments[0].incident
            if resource.open_assignments
            else None,
        )
        for resource in resources
    ]
    record(
        Operation.CONSULTATION,
        object_type="dispatch_board",
        fields=["incidents", "resources"],
        actor=user,
        context={"incidents": [row.incident.pk for row in rows][:200], "division": division},
    )
    return Board(
        incidents=rows,
        resources=units,
        failed=sum(row.incident.status == IncidentStatus.FAILED for row in rows),
        at=now,
    )


def incident_for_board(incident_id: int, *, user: Any) -> DispatchIncident | None:
    """One incident for a board action (the action audits what it changes)."""
    _require(user)
    return DispatchIncident.objects.select_related("contact").filter(pk=incident_id).first()


def resource_for_board(resource_id: int, *, user: Any) -> Resource | None:
    _require(user)
    return Resource.objects.filter(pk=resource_id).first()


def available_resources(*, user: Any) -> list[Resource]:
    """Units free to send, for the assign form (no personal data)."""
    _require(user)
    return list(Resource.objects.filter(status=ResourceStatus.AVAILABLE).order_by("call_sign"))


def already_recorded(incident: DispatchIncident, update_id: str) -> bool:
    """Whether a status update with this id is stored for the incident (a repeated form)."""
    return bool(update_id) and incident.status_updates.filter(update_id=update_id).exists()


def incident_by_reference(incident_id: str) -> DispatchIncident | None:
    """The incident command and control names: by the EIDO ``$id`` we sent, or the
    ``internalIncidentId`` in it (the contact reference). No personal data is returned."""
    incident_id = (incident_id or "").strip()
    if not incident_id:
        return None
    return (
        DispatchIncident.objects.filter(Q(eido_id=incident_id) | Q(contact__reference=incident_id))
        .order_by("pk")
        .first()
    )
