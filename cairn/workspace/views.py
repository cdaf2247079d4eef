from datetime import datetime, time

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import Operation, Outcome
from cairn.audit.queries import AuditFilter, search_audit_events
from cairn.audit.services import record
from cairn.workspace.forms import AuditSearchForm


def home(request):
    return render(request, "workspace/home.html")


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min)) if day else None


def audit_search(request):
    """Who consulted what, and what a user did: supervisors only. Reading it is audited too."""
    if not has_capability(request.user, Capability.SEARCH_AUDIT):
        record(Operation.ACCESS_DENIED, object_type="audit_log", outcome=Outcome.DENIED)
        raise PermissionDenied
    form = AuditSearchForm(request.GET or None)
    page = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        until = data["until"]
        criteria = AuditFilter(
            actor_username=data["actor"],
            object_type=data["object_type"],
            object_id=data["object_id"],
            operation=data["operation"],
            since=_day_start(data["since"]),
            until=_day_start(until + timezone.timedelta(days=1)) if until else None,
        )
        page = search_audit_events(
            user=request.user, criteria=criteria, page=request.GET.get("page", 1)
        )
        record(
            Operation.CONSULTATION,
            object_type="audit_log",
            fields=["actor", "operation", "object", "occurred_at", "purpose"],
            context={**criteria.as_context(), "page": page.number, "results": page.paginator.count},
        )
    return render(
        request,
        "workspace/audit_search.html",
        {
            "form": form,
            "page": page,
            "query": request.GET.copy().urlencode() if page else "",
        },
    )
