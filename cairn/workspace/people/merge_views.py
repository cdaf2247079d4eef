"""Merge two records of one person (after comparing them side by side), and undo a merge.

The record the handler started from survives; the comparison page links to
the same comparison the other way round to keep the other one instead.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cairn.accounts.roles import Capability
from cairn.people.merging import merge_people, undo_combination
from cairn.people.models import Combination
from cairn.people.queries import PersonView, person_view, search_people
from cairn.workspace.people.access import require
from cairn.workspace.people.forms import (
    MergeForm,
    PersonSearchForm,
    UndoMergeForm,
)
from cairn.workspace.people.views import LIVE_STATUSES, render_person


def merge_search(request, person_id: int):
    """Find the other record (the same search as the people search, audited the same)."""
    require(request, Capability.MANAGE_PEOPLE)
    form = PersonSearchForm(request.GET if "q" in request.GET else None)
    results = None
    if form.is_bound and form.is_valid():
        found = search_people(form.cleaned_data["q"], user=request.user)
        results = [person for person in found if person.pk != person_id]
    form.describe_fields()
    return render(
        request,
        "workspace/people/merge_search.html",
        {
            "person_id": person_id,
            "form": form,
            "results": results,
            "error_links": form.error_links() if form.is_bound else [],
        },
    )


def _summary(view: PersonView) -> dict:
    """What the comparison shows of one record."""
    live_roles = [role for role in view.roles if role.ended_at is None]
    return {
        "person": view.person,
        "names": view.names,
        "phones": [i.value for i in view.identifiers if i.kind == "phone"],
        "emails": [i.value for i in view.identifiers if i.kind == "email"],
        "addresses": view.addresses,
        "markers": sum(1 for m in view.markers if m.marker.status in LIVE_STATUSES),
        "contacts": len({role.contact_id for role in live_roles}),
    }


@never_cache
def compare(request, person_id: int, other_id: int):
    """The two records side by side, a reason, and the button that merges ``other`` into this."""
    require(request, Capability.MANAGE_PEOPLE)
    if person_id == other_id:
        raise Http404
    form = MergeForm(request.POST if request.method == "POST" else None)
    survivor_view = person_view(person_id, user=request.user, purpose="merge")
    absorbed_view = person_view(other_id, user=request.user, purpose="merge")
    if survivor_view is None or absorbed_view is None:
        raise Http404
    survivor, absorbed = survivor_view.person, absorbed_view.person
    mergeable = not survivor.merged_into_id and not absorbed.merged_into_id
    if request.method == "POST" and mergeable and form.is_valid():
        try:
            merge_people(survivor, absorbed, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("Records merged. Record %(absorbed)s is now part of this record.")
                % {"absorbed": absorbed.pk},
            )
            return redirect("workspace:people:person", person_id=survivor.pk)
    form.describe_fields()
    return render(
        request,
        "workspace/people/merge_compare.html",
        {
            "survivor": _summary(survivor_view),
            "absorbed": _summary(absorbed_view),
            "mergeable": mergeable,
            "form": form,
            "error_links": form.error_links() if form.is_bound else [],
        },
    )


@require_POST
def undo(request, person_id: int, combination_id: int):
    require(request, Capability.MANAGE_PEOPLE)
    combination = Combination.objects.filter(pk=combination_id, survivor_id=person_id).first()
    if combination is None:
        raise Http404
    form = UndoMergeForm(request.POST, prefix=f"undo-{combination.pk}")
    if form.is_valid():
        try:
            undo_combination(combination, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("Merge undone. Record %(absorbed)s is a separate record again.")
                % {"absorbed": combination.absorbed_id},
            )
            url = reverse("workspace:people:person", args=[person_id])
            return redirect(f"{url}#merges")
    return render_person(request, person_id, undo_forms={combination.pk: form})
