"""The case worklist (the Resolution Team workbench) and taking a case from it.

Mounted at /staff/cases/. Every view asks for WORK_CASES; the refusal is
audited (``people.access.require``).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cairn.accounts.roles import Capability
from cairn.cases.models import Case
from cairn.cases.services import CaseError
from cairn.resolution.services import take_case
from cairn.resolution.worklists import Scope, WorklistFilters, case_worklist, scope_for
from cairn.workspace.cases.forms import ALL_DIVISIONS, WorklistFilterForm
from cairn.workspace.people.access import require

CAPABILITY = Capability.WORK_CASES


def require_case_worker(request) -> None:
    require(request, CAPABILITY, object_type="case")


def case_or_404(reference: str) -> Case:
    case = (
        Case.objects.select_related("team", "officer", "division")
        .filter(reference=reference)
        .first()
    )
    if case is None:
        raise Http404
    return case


def _filters(form: WorklistFilterForm | None) -> WorklistFilters:
    if form is None or not form.is_bound or not form.is_valid():
        return WorklistFilters()
    data = form.cleaned_data
    division = data.get("division") or ""
    return WorklistFilters(
        division=division if division and division != ALL_DIVISIONS else None,
        all_divisions=division == ALL_DIVISIONS,
        team=data["team"].pk if data.get("team") else None,
        needs=data.get("needs") or "",
    )


def worklist(request):
    require_case_worker(request)
    scope = scope_for(request.user)
    form = None
    if scope == Scope.DIVISION:
        form = WorklistFilterForm(
            request.GET or None, own_division=request.user.division_id or ""
        ).describe_fields()
    rows = case_worklist(request.user, _filters(form))
    return render(
        request,
        "workspace/cases/worklist.html",
        {
            "rows": rows,
            "scope": scope,
            "form": form,
            "team": request.user.team,
            "new_count": sum(1 for row in rows if row.is_new),
            "waiting_count": sum(1 for row in rows if row.person_waiting_since),
            "overdue_count": sum(1 for row in rows if row.overdue),
        },
    )


@require_POST
def take(request, reference: str):
    require_case_worker(request)
    case = case_or_404(reference)
    try:
        take_case(case, actor=request.user)
    except CaseError as refusal:
        messages.warning(request, str(refusal))
        return redirect("workspace:cases_worklist")
    messages.success(request, _("You have taken %(reference)s.") % {"reference": case.reference})
    return redirect("workspace:case_detail", reference=case.reference)
