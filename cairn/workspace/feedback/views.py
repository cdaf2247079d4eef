"""Survey results per channel and complaints: supervisors, analysts and engagement officers.

A refusal is audited (as on the other staff pages); reading a complaint is
audited by ``cairn.engagement.queries.complaint_detail``.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import Operation, Outcome
from cairn.audit.services import record
from cairn.contacts.models import Channel
from cairn.engagement.queries import complaint_detail, complaints, survey_results
from cairn.engagement.survey import QUESTIONS


def _require(request, object_type: str) -> None:
    if not has_capability(request.user, Capability.READ_FEEDBACK):
        record(Operation.ACCESS_DENIED, object_type=object_type, outcome=Outcome.DENIED)
        raise PermissionDenied


@never_cache
def overview(request):
    _require(request, "feedback")
    return render(
        request,
        "workspace/feedback/overview.html",
        {
            "results": survey_results(user=request.user),
            "complaints": complaints(user=request.user),
            "questions": QUESTIONS,
        },
    )


@never_cache
def complaint(request, complaint_id: int):
    _require(request, "complaint")
    found = complaint_detail(complaint_id, user=request.user)
    if found is None:
        raise Http404
    return render(
        request,
        "workspace/feedback/complaint.html",
        {"complaint": found, "channel": Channel(found.contact.channel).label},
    )
