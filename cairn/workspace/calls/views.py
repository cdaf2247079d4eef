"""Call taking: a new contact from a 999 or 101 call, typed while the caller talks."""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import Operation, Outcome
from cairn.audit.services import record
from cairn.contacts.call_queries import call_to_take, contact_taken_on_call
from cairn.contacts.call_services import CALL_CATEGORIES, take_call
from cairn.contacts.models import Line
from cairn.workspace.calls.forms import CallTakingForm

SHOWN_OF_CONTACT = ["reference", "channel", "category", "received_at"]


def _require_call_taker(request) -> None:
    if not has_capability(request.user, Capability.TAKE_CALLS):
        record(Operation.ACCESS_DENIED, object_type="call_taking", outcome=Outcome.DENIED)
        raise PermissionDenied


def _blank_form(request) -> CallTakingForm:
    """A new form: the line from the queue link (?line=999); with ?call=<telephony id>, the
    call's line and number when its events have arrived."""
    line = request.GET.get("line")
    call_id = request.GET.get("call", "")[:100]
    initial = {
        "line": line if line in Line.values else Line.NON_EMERGENCY,
        "call_id": call_id,  # its events may not have arrived yet: the call is linked anyway
        "submission_id": uuid.uuid4(),
    }
    call = call_to_take(user=request.user, external_id=call_id)
    if call is not None:
        initial["line"] = call.line
        if call.caller_number:
            initial["caller_number"] = call.caller_number
            record(
                Operation.CONSULTATION,
                object_type="call",
                object_id=call.pk,
                fields=["caller_number"],
                purpose="call taking",
            )
    return CallTakingForm(initial=initial)


def new_call(request):
    _require_call_taker(request)
    if request.method != "POST":
        form = _blank_form(request)
    else:
        form = CallTakingForm(request.POST)
        if form.is_valid():
            try:
                receipt = take_call(form.taking(), user=request.user)
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, messages)
            else:
                return redirect("workspace:calls:taken", reference=receipt.contact.reference)
    form.describe_fields()
    return render(
        request,
        "workspace/calls/new.html",
        {"form": form, "line_choices": Line.choices},
    )


def call_taken(request, reference: str):
    _require_call_taker(request)
    contact = contact_taken_on_call(user=request.user, reference=reference)
    if contact is None:
        raise Http404
    record(
        Operation.CONSULTATION,
        object_type="contact",
        object_id=contact.pk,
        fields=SHOWN_OF_CONTACT,
        purpose="call taking",
    )
    return render(
        request,
        "workspace/calls/taken.html",
        {
            "contact": contact,
            "line": contact.call.line,
            "category": CALL_CATEGORIES.get(contact.category, contact.category),
        },
    )
