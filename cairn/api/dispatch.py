"""Status back from command and control: POST /api/v1/dispatch/incidents/{incident_id}/status.

Command and control reports what happened to an incident Cairn handed it: a
resource assigned, en route, on scene, cleared. The key needs the
"dispatch.status" scope. A report is stored once per ``update_id``: sending it
again answers 200 with ``duplicate: true`` and changes nothing.
"""

from datetime import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from ninja import Field, Router, Schema, Status
from pydantic import AwareDatetime

from cairn.api.auth import ApiKey
from cairn.api.errors import ERROR_RESPONSES, ApiProblem, ErrorResponse
from cairn.api.no_nul import NoNul
from cairn.dispatch.models import ReportedStatus, UpdateSource
from cairn.dispatch.queries import incident_by_reference
from cairn.dispatch.status import STATUS_SCOPE, StatusError, StatusReport, record_status

router = Router(tags=["dispatch"], auth=ApiKey())

ReportedStatusCode = Literal[tuple(ReportedStatus.values)]  # type: ignore[valid-type]


class StatusIn(NoNul):
    status: ReportedStatusCode = Field(
        ..., description="resource_assigned, en_route, on_scene or cleared"
    )
    call_sign: str = Field(
        "",
        max_length=20,
        description="The resource's call sign; needed except for `cleared` (which then "
        "clears every resource on the incident)",
    )
    at: AwareDatetime = Field(..., description="When it happened, with a time zone")
    update_id: str = Field(
        ..., min_length=1, max_length=100, description="Your id for this update: a retry reuses it"
    )
    command_and_control_id: str = Field(
        "", max_length=100, description="Your own incident number, if not sent before"
    )


class IncidentOut(Schema):
    incident_id: str = Field(description="The EIDO incident id Cairn sent")
    status: str
    command_and_control_id: str
    resources: list[str] = Field(description="Call signs on the incident now")


class StatusAccepted(Schema):
    update_id: str
    status: str
    duplicate: bool = Field(description="True when this update id had been received before")
    received_at: datetime
    incident: IncidentOut


def _require_scope(client) -> None:
    if STATUS_SCOPE not in (getattr(client, "scopes", None) or []):
        raise ApiProblem(
            403, "forbidden", "This API key may not report dispatch status (scope dispatch.status)."
        )


@router.post(
    "/incidents/{incident_id}/status",
    response={
        201: StatusAccepted,
        200: StatusAccepted,
        **ERROR_RESPONSES,
        403: ErrorResponse,
        404: ErrorResponse,
        409: ErrorResponse,
    },
    summary="Report an incident's status",
    description="`incident_id` is the EIDO document's `$id` Cairn sent "
    "(`urn:emergency:uid:incidentid:CRN-…:<agency>`) or its `internalIncidentId` (the "
    "contact reference). A new update answers 201; an `update_id` sent before answers 200 "
    "with `duplicate: true` and changes nothing. Refusals: 404 `unknown_incident`; 409 "
    "`incident_cleared`, `resource_busy` (the unit is on another incident) or "
    "`update_id_reused` (the same id with a different update); 422 `unknown_resource`, "
    "`resource_needed` or `validation_error` (an unknown status, a time without a zone).",
)
def report_status(request, incident_id: str, payload: StatusIn):
    client = request.auth
    _require_scope(client)
    incident = incident_by_reference(incident_id)
    if incident is None:
        raise ApiProblem(
            404,
            "unknown_incident",
            "No incident has that id.",
            [{"field": "incident_id", "message": "No incident has that id."}],
        )
    report = StatusReport(
        status=payload.status,
        update_id=payload.update_id,
        at=payload.at,
        call_sign=payload.call_sign.strip(),
        command_and_control_id=payload.command_and_control_id.strip(),
    )
    try:
        receipt = record_status(
            incident, report, source=UpdateSource.COMMAND_AND_CONTROL, api_client=client
        )
    except PermissionDenied:
        raise ApiProblem(403, "forbidden", "This API key may not report dispatch status.") from None
    except StatusError as error:
        status = (
            422 if error.code in ("unknown_resource", "resource_needed", "status_refused") else 409
        )
        raise ApiProblem(
            status,
            error.code,
            error.message,
            [{"field": error.field, "message": error.message}] if error.field else [],
        ) from error
    incident.refresh_from_db()
    update = receipt.update
    body = StatusAccepted(
        update_id=update.update_id,
        status=update.status,
        duplicate=not receipt.created,
        received_at=update.received_at,
        incident=IncidentOut(
            incident_id=incident.eido_id,
            status=incident.status,
            command_and_control_id=incident.command_and_control_id,
            resources=list(
                incident.assignments.filter(cleared_at__isnull=True)
                .order_by("assigned_at", "pk")
                .values_list("resource__call_sign", flat=True)
            ),
        ),
    )
    return Status(201 if receipt.created else 200, body)
