"""Find a person and read their record: markers first, then who they are, their matters, history.

Every read goes through ``cairn.people.queries``, which audits it: one
consultation per person page, and a restricted marker's details only for a
stated purpose (``reveal_marker``), shown on that response alone.
"""

from dataclasses import replace

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language_info
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cairn.accounts.roles import Capability
from cairn.people.models import AccessNeed, Marker
from cairn.people.queries import person_view, reveal_marker, search_people
from cairn.people.rectification import RECTIFIABLE
from cairn.workspace.people.access import may, require
from cairn.workspace.people.forms import (
    MarkerForm,
    MarkerReviewForm,
    PersonSearchForm,
    PreferencesForm,
    RevealMarkerForm,
    UndoMergeForm,
)

LIVE_STATUSES = (Marker.Status.ACTIVE, Marker.Status.REVIEW_DUE)


def search(request):
    """Find records by phone number, email address or name (GET ?q=; the search is audited)."""
    require(request, Capability.VIEW_PEOPLE)
    form = PersonSearchForm(request.GET if "q" in request.GET else None)
    results = None
    if form.is_bound and form.is_valid():
        results = search_people(form.cleaned_data["q"], user=request.user)
    form.describe_fields()
    return render(
        request,
        "workspace/people/search.html",
        {
            "form": form,
            "results": results,
            "error_links": form.error_links() if form.is_bound else [],
        },
    )


def language_label(code: str) -> str:
    if not code:
        return ""
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code


def reveal_form(marker_id: int, forms: dict) -> RevealMarkerForm:
    return forms.get(marker_id) or RevealMarkerForm(prefix=f"reveal-{marker_id}")


def _marker_rows(markers, *, manage: bool, reveal_forms: dict, review_forms: dict) -> list[dict]:
    rows = []
    for view in markers:
        marker = view.marker
        rows.append(
            {
                "view": view,
                "marker": marker,
                "reveal_form": None if view.shown else reveal_form(marker.pk, reveal_forms),
                "review_form": (
                    review_forms.get(marker.pk) or MarkerReviewForm(prefix=f"review-{marker.pk}")
                )
                if manage and view.shown and marker.status in LIVE_STATUSES
                else None,
            }
        )
    return rows


def render_person(
    request,
    person_id: int,
    *,
    revealed: Marker | None = None,
    marker_form: MarkerForm | None = None,
    reveal_forms: dict | None = None,
    review_forms: dict | None = None,
    undo_forms: dict | None = None,
    preferences_form: PreferencesForm | None = None,
):
    """The person page (one audited read); the bound forms are shown with their errors."""
    view = person_view(person_id, user=request.user)
    if view is None:
        raise Http404
    reveal_forms, review_forms, undo_forms = (
        reveal_forms or {},
        review_forms or {},
        undo_forms or {},
    )
    manage = may(request, Capability.MANAGE_PEOPLE) and not view.person.merged_into_id
    markers = view.markers
    if revealed is not None:
        markers = [replace(m, shown=True) if m.marker.pk == revealed.pk else m for m in markers]
    rows = _marker_rows(
        markers, manage=manage, reveal_forms=reveal_forms, review_forms=review_forms
    )
    combinations = [
        {
            "combination": combination,
            "form": (
                undo_forms.get(combination.pk) or UndoMergeForm(prefix=f"undo-{combination.pk}")
            )
            if manage and combination.undone_at is None
            else None,
        }
        for combination in view.combinations
    ]
    person = view.person
    if manage:
        marker_form = marker_form or MarkerForm(prefix="marker")
        preferences_form = preferences_form or PreferencesForm(
            prefix="preferences",
            initial={name: getattr(person, name) for name in PreferencesForm.base_fields},
        )
    shown_forms = [
        marker_form,
        preferences_form if manage else None,
        *(row[name] for row in rows for name in ("reveal_form", "review_form")),
        *(item["form"] for item in combinations),
    ]
    for form in shown_forms:
        if form is not None:
            form.describe_fields()  # hints and errors pointed at, for screen readers
    bound = [form for form in shown_forms if form is not None and form.is_bound and form.errors]
    context = {
        "view": view,
        "person": person,
        "live_markers": [row for row in rows if row["marker"].status in LIVE_STATUSES],
        "earlier_markers": [row for row in rows if row["marker"].status not in LIVE_STATUSES],
        "revealed": revealed,
        "marker_form": marker_form if manage else None,
        "preferences_form": preferences_form if manage else None,
        "combinations": combinations,
        "may_manage": manage,
        "may_triage": may(request, Capability.TRIAGE),
        "may_subject_access": may(request, Capability.SUBJECT_ACCESS),
        "primary_names": [n for n in view.names if n.kind == "primary"],
        "other_names": [n for n in view.names if n.kind != "primary"],
        "phones": [i for i in view.identifiers if i.kind == "phone"],
        "emails": [i for i in view.identifiers if i.kind == "email"],
        "language": language_label(person.preferred_language),
        "interpreter_language": person.interpreter_language,
        "access_needs": [
            AccessNeed(need).label if need in AccessNeed.values else need
            for need in person.access_needs
        ],
        "rectifications": [
            {"change": change, "field": RECTIFIABLE.get(change.field, change.field)}
            for change in view.rectifications
        ],
        "error_links": [link for form in bound for link in form.error_links()],
    }
    return render(request, "workspace/people/person.html", context)


@never_cache
def person_page(request, person_id: int):
    require(request, Capability.VIEW_PEOPLE)
    return render_person(request, person_id)


@never_cache
@require_POST
def reveal(request, person_id: int, marker_id: int):
    """Show a restricted marker for a stated purpose, on this response only (audited)."""
    require(request, Capability.VIEW_PEOPLE)
    form = RevealMarkerForm(request.POST, prefix=f"reveal-{marker_id}")
    if not form.is_valid():
        return render_person(request, person_id, reveal_forms={marker_id: form})
    try:
        marker = reveal_marker(marker_id, user=request.user, purpose=form.cleaned_data["purpose"])
    except Marker.DoesNotExist:
        raise Http404 from None
    # A merge since the page was drawn may have moved the marker: show it where it is now.
    return render_person(request, marker.person_id, revealed=marker)
