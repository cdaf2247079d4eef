"""The dispatch board for area control room operators: open incidents, resources, and actions.

Every page needs the DISPATCH capability (control room operators and
supervisors); a refusal is audited. The board reads through
``cairn.dispatch.queries.board`` (audited); each action calls a dispatch
service and comes back to the board. A refused action shows the board again
with the form as it was sent and the reason beside it.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cairn.accounts.roles import Capability
from cairn.dispatch.models import ResourceStatus
from cairn.dispatch.queries import (
    Board,
    already_recorded,
    available_resources,
    board,
    incident_for_board,
    resource_for_board,
)
from cairn.dispatch.services import DispatchError, retry_handoff
from cairn.dispatch.status import StatusError, board_report
from cairn.places.models import Division
from cairn.workspace.dispatch.forms import ALL_RESOURCES, AssignForm, StatusForm
from cairn.workspace.people.access import require


def _require(request: HttpRequest) -> None:
    require(request, Capability.DISPATCH, object_type="dispatch_board")


def _division(request: HttpRequest) -> str:
    """The division the board is filtered to (a known code), from the query or the form."""
    source = request.POST if request.method == "POST" else request.GET
    code = source.get("division", "").strip().upper()
    return code if code and Division.objects.filter(code=code).exists() else ""


def _board_url(division: str = "", anchor: str = "") -> str:
    url = reverse("workspace:dispatch_board")
    if division:
        url += f"?division={division}"
    return url + (f"#{anchor}" if anchor else "")


def _render_board(
    request: HttpRequest,
    *,
    division: str = "",
    bound: dict[int, dict[str, Any]] | None = None,
    errors: list[tuple[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The board; ``bound`` holds the forms sent for one incident (kept as typed, with errors)."""
    bound = bound or {}
    data: Board = board(user=request.user, division=division)
    available = [
        row.resource for row in data.resources if row.resource.status == ResourceStatus.AVAILABLE
    ]
    cards = []
    for row in data.incidents:
        sent = bound.get(row.incident.pk, {})
        assign = sent.get("assign") or AssignForm(incident=row.incident, available=available)
        status_form = sent.get("status") or StatusForm(
            incident=row.incident, on_incident=row.resources
        )
        cards.append({"row": row, "assign": assign, "status": status_form})
    # Errors of every form sent, even one whose incident has left the board meanwhile.
    error_links = list(errors or [])
    for forms in bound.values():
        for form in forms.values():
            error_links += form.error_links()
    for card in cards:
        card["assign"].describe_fields()
        card["status"].describe_fields()
    context = {
        "board": data,
        "cards": cards,
        "divisions": Division.objects.order_by("code"),
        "division": division,
        "error_links": error_links,
        "refresh_url": _board_url(division),
    }
    return render(request, "workspace/dispatch/board.html", context, status=status)


@require_GET
def dispatch_board(request: HttpRequest) -> HttpResponse:
    _require(request)
    return _render_board(request, division=_division(request))


def _incident(request: HttpRequest, incident_id: int):
    incident = incident_for_board(incident_id, user=request.user)
    if incident is None:
        raise Http404
    return incident


def _repeat(request: HttpRequest, incident, form_prefix: str) -> HttpResponse | None:
    """A second click of a form already recorded: say so (the choices it made may be gone)."""
    if not already_recorded(incident, request.POST.get(f"{form_prefix}-update_id", "")):
        return None
    messages.info(request, _("That update was already recorded."))
    return redirect(_board_url(_division(request), f"incident-{incident.pk}"))


def _done(request: HttpRequest, receipt, text: str, incident) -> HttpResponse:
    if receipt.created:
        messages.success(request, text)
    else:
        messages.info(request, _("That update was already recorded."))
    return redirect(_board_url(_division(request), f"incident-{incident.pk}"))


@require_POST
def dispatch_assign(request: HttpRequest, incident_id: int) -> HttpResponse:
    _require(request)
    incident = _incident(request, incident_id)
    repeat = _repeat(request, incident, f"assign-{incident.pk}")
    if repeat is not None:
        return repeat
    available = available_resources(user=request.user)
    form = AssignForm(request.POST, incident=incident, available=available)
    if form.is_valid():
        resource = resource_for_board(form.cleaned_data["resource"], user=request.user)
        try:
            receipt = board_report(
                incident,
                status="resource_assigned",
                resource=resource,
                update_id=form.cleaned_data["update_id"],
                actor=request.user,
            )
        except StatusError as error:
            form.add_error("resource", error.message)
        else:
            text = _("%(call_sign)s assigned to %(reference)s.") % {
                "call_sign": resource.call_sign,
                "reference": incident.contact.reference,
            }
            return _done(request, receipt, text, incident)
    return _render_board(
        request, division=_division(request), bound={incident.pk: {"assign": form}}, status=400
    )


@require_POST
def dispatch_status(request: HttpRequest, incident_id: int) -> HttpResponse:
    _require(request)
    incident = _incident(request, incident_id)
    repeat = _repeat(request, incident, f"status-{incident.pk}")
    if repeat is not None:
        return repeat
    on_incident = [
        assignment.resource
        for assignment in incident.assignments.filter(cleared_at__isnull=True).select_related(
            "resource"
        )
    ]
    form = StatusForm(request.POST, incident=incident, on_incident=on_incident)
    if form.is_valid():
        choice = form.cleaned_data["resource"]
        resource = (
            None if choice == ALL_RESOURCES else resource_for_board(int(choice), user=request.user)
        )
        try:
            receipt = board_report(
                incident,
                status=form.cleaned_data["status"],
                resource=resource,
                update_id=form.cleaned_data["update_id"],
                actor=request.user,
            )
        except StatusError as error:
            form.add_error("resource" if error.field == "call_sign" else None, error.message)
        else:
            label = dict(form.fields["status"].choices)[form.cleaned_data["status"]]
            text = _("%(reference)s: %(who)s %(status)s.") % {
                "reference": incident.contact.reference,
                "who": resource.call_sign if resource else _("all resources"),
                "status": str(label).lower(),
            }
            return _done(request, receipt, text, incident)
    return _render_board(
        request, division=_division(request), bound={incident.pk: {"status": form}}, status=400
    )


@require_POST
def dispatch_retry(request: HttpRequest, incident_id: int) -> HttpResponse:
    _require(request)
    incident = _incident(request, incident_id)
    try:
        retry_handoff(incident, actor=request.user)
    except (DispatchError, ValidationError) as error:
        message = error.messages[0] if isinstance(error, ValidationError) else str(error)
        return _render_board(
            request, division=_division(request), errors=[("", message)], status=409
        )
    messages.success(
        request,
        _("%(reference)s is being sent to command and control again.")
        % {"reference": incident.contact.reference},
    )
    return redirect(_board_url(anchor=f"incident-{incident.pk}"))
