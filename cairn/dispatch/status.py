"""Status back from command and control or the board: assigned, en route, on scene, cleared.

``record_status`` is the one write for both: command and control over the API
(a client holding the ``dispatch.status`` scope) and a control room operator at
the board (the DISPATCH capability). It runs in one transaction holding the
incident's row lock, so reports for one incident take turns and a repeat of
an ``update_id`` finds the first and changes nothing.

What a report does:

- ``resource_assigned``: the unit is put on the incident (a unit is on one open
  incident at a time) and marked assigned;
- ``en_route`` / ``on_scene``: the unit's status (it is put on the incident
  first if the assignment was never reported);
- ``cleared`` with a call sign: that unit leaves the incident and is available
  again; without one, every unit leaves. The incident is cleared when no unit
  is left on it.

The incident only moves forward (pending → … → on scene → cleared). Every report
writes an internal line on the case timeline; the first assignment and the
first arrival also write a public one in plain words for the person.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import Operation
from cairn.cases.models import Visibility
from cairn.dispatch.models import (
    PROGRESS,
    DispatchIncident,
    IncidentStatus,
    ReportedStatus,
    Resource,
    ResourceAssignment,
    ResourceStatus,
    StatusUpdate,
    UpdateSource,
)
from cairn.dispatch.services import (
    DispatchError,
    audit,
    event,
    minutes_since_raised,
    write_case_update,
)
from cairn.triage.models import NextStepKind
from cairn.triage.next_steps import complete_next_step

STATUS_SCOPE = "dispatch.status"

# The standard public sentences (cases.public_texts codes).
ASSIGNED_TEXT_CODE = "dispatch_assigned"
ASSIGNED_TEXT = "Officers have been given your report and are on their way."
ON_SCENE_TEXT_CODE = "dispatch_on_scene"
ON_SCENE_TEXT = "Officers have arrived."

RESOURCE_STATUS = {
    ReportedStatus.RESOURCE_ASSIGNED: ResourceStatus.ASSIGNED,
    ReportedStatus.EN_ROUTE: ResourceStatus.EN_ROUTE,
    ReportedStatus.ON_SCENE: ResourceStatus.ON_SCENE,
    ReportedStatus.CLEARED: ResourceStatus.AVAILABLE,
}
INCIDENT_STATUS = {
    ReportedStatus.RESOURCE_ASSIGNED: IncidentStatus.RESOURCE_ASSIGNED,
    ReportedStatus.EN_ROUTE: IncidentStatus.RESOURCE_ASSIGNED,
    ReportedStatus.ON_SCENE: IncidentStatus.ON_SCENE,
}


class StatusError(DispatchError):
    """A report refused; ``field`` names what to fix (the API's 4xx details)."""

    code = "status_refused"

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class IncidentCleared(StatusError):
    code = "incident_cleared"


class UnknownResource(StatusError):
    code = "unknown_resource"


class ResourceNeeded(StatusError):
    code = "resource_needed"


class ResourceBusy(StatusError):
    code = "resource_busy"


class UpdateIdReused(StatusError):
    code = "update_id_reused"


@dataclass(frozen=True)
class StatusReport:
    status: str  # a ReportedStatus
    update_id: str
    at: datetime
    call_sign: str = ""
    command_and_control_id: str = ""


@dataclass(frozen=True)
class StatusReceipt:
    update: StatusUpdate
    created: bool  # False: this update_id had been received before


def _authorise(source: str, actor: Any, api_client: Any) -> None:
    if source == UpdateSource.BOARD_OPERATOR:
        if not has_capability(actor, Capability.DISPATCH):
            raise PermissionDenied
    elif source == UpdateSource.COMMAND_AND_CONTROL:
        if api_client is None or STATUS_SCOPE not in (getattr(api_client, "scopes", None) or []):
            raise PermissionDenied
    else:
        raise PermissionDenied


def _same(update: StatusUpdate, report: StatusReport, source: str) -> bool:
    """A repeat of ``update``? The board stamps its own time, so only the sender's counts."""
    call_sign = update.resource.call_sign if update.resource_id else ""
    same_time = source != UpdateSource.COMMAND_AND_CONTROL or update.at == report.at
    return (
        update.source == source
        and update.status == report.status
        and call_sign == report.call_sign.strip()
        and same_time
    )


def _resource(report: StatusReport) -> Resource | None:
    if not report.call_sign:
        if report.status != ReportedStatus.CLEARED:
            raise ResourceNeeded(_("Say which resource (its call sign)."), "call_sign")
        return None
    resource = (
        Resource.objects.select_for_update().filter(call_sign=report.call_sign.strip()).first()
    )
    if resource is None:
        raise UnknownResource(
            _("No resource has the call sign %(call_sign)s.") % {"call_sign": report.call_sign},
            "call_sign",
        )
    return resource


def _set_resource(resource: Resource, status: str, at: datetime) -> None:
    resource.status, resource.status_changed_at = status, at
    resource.save(update_fields=["status", "status_changed_at"])


def _put_on(incident: DispatchIncident, resource: Resource, at: datetime) -> None:
    """Assign ``resource`` to ``incident`` unless it is already; refused when it is elsewhere."""
    current = ResourceAssignment.objects.filter(resource=resource, cleared_at__isnull=True).first()
    if current is not None and current.incident_id == incident.pk:
        return
    if current is not None:
        raise ResourceBusy(
            _("%(call_sign)s is on another incident: clear it there first.")
            % {"call_sign": resource.call_sign},
            "call_sign",
        )
    if resource.status == ResourceStatus.UNAVAILABLE:
        raise ResourceBusy(
            _("%(call_sign)s is unavailable.") % {"call_sign": resource.call_sign}, "call_sign"
        )
    ResourceAssignment.objects.create(incident=incident, resource=resource, assigned_at=at)


def _clear(incident: DispatchIncident, resource: Resource | None, at: datetime) -> bool:
    """Take ``resource`` (or every unit) off the incident; True when none is left on it."""
    open_assignments = ResourceAssignment.objects.select_for_update().filter(
        incident=incident, cleared_at__isnull=True
    )
    leaving = open_assignments.filter(resource=resource) if resource else open_assignments
    for assignment in leaving.select_related("resource"):
        assignment.cleared_at = at
        assignment.save(update_fields=["cleared_at"])
        _set_resource(assignment.resource, ResourceStatus.AVAILABLE, at)
    return not open_assignments.exists()


def _internal_text(report: StatusReport, source: str, everything_cleared: bool) -> str:
    who = report.call_sign or _("All resources")
    text = {
        ReportedStatus.RESOURCE_ASSIGNED: _("%(who)s assigned."),
        ReportedStatus.EN_ROUTE: _("%(who)s en route."),
        ReportedStatus.ON_SCENE: _("%(who)s on scene."),
        ReportedStatus.CLEARED: _("%(who)s cleared."),
    }[report.status] % {"who": who}
    if everything_cleared:
        text += " " + _("Incident cleared.")
    by = (
        _("(command and control)")
        if source == UpdateSource.COMMAND_AND_CONTROL
        else _("(dispatch board)")
    )
    return f"{text} {by}"


def record_status(
    incident: DispatchIncident,
    report: StatusReport,
    *,
    source: str,
    actor: Any = None,
    api_client: Any = None,
) -> StatusReceipt:
    """Record one status report on ``incident``, once per ``report.update_id``.

    Raises ``StatusError`` subclasses (each with a ``code`` and ``field``) for a
    report that cannot apply, and ``PermissionDenied`` for a sender who may not.
    """
    _authorise(source, actor, api_client)
    if report.status not in ReportedStatus.values:
        raise StatusError(_("Unknown status."), "status")
    with transaction.atomic():
        incident = DispatchIncident.objects.select_for_update().get(pk=incident.pk)
        existing = (
            StatusUpdate.objects.select_related("resource")
            .filter(incident=incident, update_id=report.update_id)
            .first()
        )
        if existing is not None:
            if not _same(existing, report, source):
                raise UpdateIdReused(
                    _("This update id was already used for a different update."), "update_id"
                )
            return StatusReceipt(existing, created=False)
        if not incident.is_open:
            raise IncidentCleared(_("This incident is cleared: it takes no more updates."))
        resource = _resource(report)
        before = incident.status
        everything_cleared = False
        if report.status == ReportedStatus.CLEARED:
            everything_cleared = _clear(incident, resource, report.at)
        else:
            _put_on(incident, resource, report.at)
            _set_resource(resource, RESOURCE_STATUS[report.status], report.at)
        fields = _move_incident(incident, report, everything_cleared)
        update = StatusUpdate(
            incident=incident,
            status=report.status,
            resource=resource,
            at=report.at,
            source=source,
            update_id=report.update_id,
            author=actor if getattr(actor, "pk", None) else None,
            api_client=api_client,
        )
        update.save(force_insert=True)
        _tell_the_case(incident, report, source, actor, before, everything_cleared)
        if everything_cleared:
            # The decision's work is done when the last unit clears (until then an
            # Immediate decision keeps its open next step: triage insists on it).
            complete_next_step(incident.contact, NextStepKind.DISPATCH_REQUEST)
        audit(
            Operation.ALTERATION,
            incident,
            [*fields, "assignments", "status_updates"],
            actor,
            source=source,
            update=update.pk,
            api_client=getattr(api_client, "pk", None),
        )
        event(
            "dispatch.status",
            incident,
            status=report.status,
            incident_status=incident.status,
            source=source,
            resource=getattr(resource, "pk", None),
            resource_kind=getattr(resource, "kind", ""),
            minutes_since_raised=minutes_since_raised(incident, report.at),
        )
        return StatusReceipt(update, created=True)


def _move_incident(
    incident: DispatchIncident, report: StatusReport, everything_cleared: bool
) -> list[str]:
    fields: list[str] = []
    if report.command_and_control_id and not incident.command_and_control_id:
        incident.command_and_control_id = report.command_and_control_id[:100]
        incident.acknowledged_at = incident.acknowledged_at or report.at
        fields += ["command_and_control_id", "acknowledged_at"]
    if everything_cleared:
        incident.status, incident.cleared_at = IncidentStatus.CLEARED, report.at
        fields += ["status", "cleared_at"]
    elif report.status in INCIDENT_STATUS:
        target = INCIDENT_STATUS[report.status]
        if PROGRESS[target] > PROGRESS[incident.status]:
            incident.status = target
            fields.append("status")
    if fields:
        incident.save(update_fields=fields)
    return fields


def _tell_the_case(
    incident: DispatchIncident,
    report: StatusReport,
    source: str,
    actor: Any,
    before: str,
    everything_cleared: bool,
) -> None:
    case = incident.case
    write_case_update(
        case,
        text=_internal_text(report, source, everything_cleared),
        visibility=Visibility.INTERNAL,
        author=actor,
    )
    if everything_cleared:
        return  # the person hears how it ended from the officer, not from the board
    reached = PROGRESS[incident.status]
    if PROGRESS[before] < PROGRESS[IncidentStatus.RESOURCE_ASSIGNED] <= reached:
        write_case_update(
            case, text=ASSIGNED_TEXT, text_code=ASSIGNED_TEXT_CODE, visibility=Visibility.PUBLIC
        )
    if PROGRESS[before] < PROGRESS[IncidentStatus.ON_SCENE] <= reached:
        write_case_update(
            case, text=ON_SCENE_TEXT, text_code=ON_SCENE_TEXT_CODE, visibility=Visibility.PUBLIC
        )


def board_report(
    incident: DispatchIncident,
    *,
    status: str,
    resource: Resource | None,
    update_id: str,
    actor: Any,
) -> StatusReceipt:
    """A control room operator's report at the board: assign, en route, on scene, cleared."""
    return record_status(
        incident,
        StatusReport(
            status=status,
            update_id=update_id,
            at=timezone.now(),
            call_sign=resource.call_sign if resource else "",
        ),
        source=UpdateSource.BOARD_OPERATOR,
        actor=actor,
    )
