"""Add a marker to a person, review one (keep it until the next review, or withdraw it),
and record their contact preferences.

The forms sit on the person page; a refusal shows that page again with the
form's errors, a success goes back to it (so a reload repeats nothing).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cairn.accounts.roles import Capability
from cairn.people.markers import add_marker, review_marker
from cairn.people.models import Marker, Person
from cairn.people.preferences import update_preferences
from cairn.workspace.people.access import require
from cairn.workspace.people.forms import MarkerForm, MarkerReviewForm, PreferencesForm
from cairn.workspace.people.views import render_person


def _person_or_404(person_id: int) -> Person:
    # Only to hand to the service, which audits what it writes; nothing is shown from it.
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise Http404
    return person


def _back_to(person_id: int, anchor: str = "markers"):
    return redirect(reverse("workspace:people:person", args=[person_id]) + f"#{anchor}")


@require_POST
def new_marker(request, person_id: int):
    require(request, Capability.MANAGE_PEOPLE)
    person = _person_or_404(person_id)
    form = MarkerForm(request.POST, prefix="marker")
    if form.is_valid():
        data = form.cleaned_data
        try:
            add_marker(
                person,
                kind=data["kind"],
                source=data["source"],
                note=data["note"],
                restricted=form.restricted_value(),
                review_on=data["review_on"],
                expires_on=data["expires_on"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Marker added."))
            return _back_to(person.pk)
    return render_person(request, person.pk, marker_form=form)


@require_POST
def review(request, person_id: int, marker_id: int):
    require(request, Capability.MANAGE_PEOPLE)
    marker = Marker.objects.filter(pk=marker_id, person_id=person_id).first()
    if marker is None:
        raise Http404
    form = MarkerReviewForm(request.POST, prefix=f"review-{marker.pk}")
    if form.is_valid():
        data = form.cleaned_data
        keep = data["decision"] == MarkerReviewForm.KEEP
        try:
            review_marker(
                marker,
                actor=request.user,
                keep=keep,
                next_review_on=data["next_review_on"] if keep else None,
                note=data["note"],
            )
        except ValidationError as error:
            form.add_service_errors(error, MarkerReviewForm.SERVICE_FIELDS)
        else:
            messages.success(
                request, _("Marker kept until its next review.") if keep else _("Marker withdrawn.")
            )
            return _back_to(person_id)
    return render_person(request, person_id, review_forms={marker.pk: form})


@require_POST
def preferences(request, person_id: int):
    """Record language, access needs, preferred channel and times, and consent to updates."""
    require(request, Capability.MANAGE_PEOPLE)
    person = _person_or_404(person_id)
    form = PreferencesForm(request.POST, prefix="preferences")
    if form.is_valid():
        try:
            changed = update_preferences(person, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if changed:
                messages.success(request, _("Preferences saved."))
            return _back_to(person.pk, "details")
    return render_person(request, person.pk, preferences_form=form)
