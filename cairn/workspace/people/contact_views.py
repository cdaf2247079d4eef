"""The people on a contact: the panel on the triage page, and the handler's decisions on it.

"This is them", "Not this person" and "None of these: new person" are
buttons on the panel; linking another person and unlinking have pages of
their own (a search, a reason) so they work without JavaScript and show
their errors where they were typed. Every success goes back to the contact.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cairn.accounts.roles import Capability
from cairn.contacts.models import Contact
from cairn.people.contact_queries import people_on_contact
from cairn.people.models import MatterRole, MatterRoleKind, Person, PossibleMatch
from cairn.people.queries import may_view_people, search_people
from cairn.people.services import (
    create_person_for_contact,
    link_person_to_contact,
    match_contact,
    reject_possible_match,
    unlink,
)
from cairn.workspace.people.access import may, require
from cairn.workspace.people.forms import (
    LinkPersonForm,
    PersonSearchForm,
    RevealMarkerForm,
    UnlinkForm,
)


def contact_people_context(request, contact: Contact) -> dict:
    """What ``workspace/people/_contact_people.html`` needs, for the triage page's context.

    A contact not matched yet is matched now: the handler never waits for the
    periodic task. Nothing for a user who may not see people.
    """
    if not may_view_people(request.user):
        return {}
    people = people_on_contact(contact, user=request.user)
    if not people.outcome:
        match_contact(contact.pk, actor=request.user)
        people = people_on_contact(contact, user=request.user)
    return {
        "people": people,
        "people_linked": [
            {"item": item, "markers": _panel_markers(item.markers)} for item in people.linked
        ],
        "people_possible": [
            {"item": item, "markers": _panel_markers(item.markers)} for item in people.possible
        ],
        "may_manage_people": may(request, Capability.MANAGE_PEOPLE),
    }


def _panel_markers(markers) -> list[dict]:
    """Each marker with, when restricted, the form that states a purpose to see it.

    The form posts to the person page's reveal (same field names); its ids
    differ so they cannot clash with the triage page's own.
    """
    return [
        {
            "view": view,
            "reveal_form": None
            if view.shown
            else RevealMarkerForm(
                prefix=f"reveal-{view.marker.pk}", auto_id="people-%s"
            ).describe_fields(),
        }
        for view in markers
    ]


def _contact_or_404(contact_id: int) -> Contact:
    # The contact is handed to the people services, which lock and audit it; shown: its reference.
    contact = Contact.objects.filter(pk=contact_id).only("pk", "reference").first()
    if contact is None:
        raise Http404
    return contact


def _back_to_contact(contact_id: int):
    url = reverse("workspace:triage:contact", kwargs={"contact_id": contact_id})
    return redirect(f"{url}#people")


def _open_possible(contact_id: int, possible_id: int) -> PossibleMatch | None:
    """The possible match to decide on; None when someone has decided it already."""
    possible = (
        PossibleMatch.objects.select_related("contact", "person")
        .filter(pk=possible_id, contact_id=contact_id)
        .first()
    )
    if possible is None:
        raise Http404
    return possible if possible.status == PossibleMatch.Status.OPEN else None


def _already_decided(request, contact_id: int):
    messages.warning(request, _("Someone has already decided on that possible match."))
    return _back_to_contact(contact_id)


def _refused(request, error: ValidationError, contact_id: int):
    messages.warning(request, " ".join(error.messages))
    return _back_to_contact(contact_id)


@require_POST
def accept_possible(request, contact_id: int, possible_id: int):
    """This is them: link the possible match as the contact's reporter."""
    require(request, Capability.MANAGE_PEOPLE)
    possible = _open_possible(contact_id, possible_id)
    if possible is None:
        return _already_decided(request, contact_id)
    try:
        link_person_to_contact(
            possible.contact, possible.person, role=MatterRoleKind.REPORTER, actor=request.user
        )
    except ValidationError as error:
        return _refused(request, error, contact_id)
    messages.success(request, _("Linked as the reporter."))
    return _back_to_contact(contact_id)


@require_POST
def reject_possible(request, contact_id: int, possible_id: int):
    require(request, Capability.MANAGE_PEOPLE)
    possible = _open_possible(contact_id, possible_id)
    if possible is None:
        return _already_decided(request, contact_id)
    reject_possible_match(possible, actor=request.user)
    messages.success(request, _("Noted: not the same person."))
    return _back_to_contact(contact_id)


@require_POST
def new_person(request, contact_id: int):
    """None of the possible matches: a new person record from the contact's details."""
    require(request, Capability.MANAGE_PEOPLE)
    contact = _contact_or_404(contact_id)
    try:
        create_person_for_contact(contact, actor=request.user)
    except ValidationError as error:
        return _refused(request, error, contact_id)
    messages.success(request, _("New person record made and linked as the reporter."))
    return _back_to_contact(contact_id)


def link(request, contact_id: int):
    """Find a person (GET ?q=) and link them to the contact with a role (POST)."""
    require(request, Capability.MANAGE_PEOPLE)
    contact = _contact_or_404(contact_id)
    posted = request.method == "POST"
    query = (request.POST.get("q") if posted else request.GET.get("q")) or ""
    search_form = PersonSearchForm({"q": query} if (posted or "q" in request.GET) else None)
    found: list[Person] = []
    if search_form.is_bound and search_form.is_valid():
        found = search_people(search_form.cleaned_data["q"], user=request.user)
    form = LinkPersonForm(request.POST if posted else None, people=found, initial={"q": query})
    if posted and form.is_valid():
        person = next(p for p in found if p.pk == form.cleaned_data["person"])
        try:
            link_person_to_contact(
                contact, person, role=form.cleaned_data["role"], actor=request.user
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("%(name)s linked as %(role)s.")
                % {"name": person, "role": MatterRoleKind(form.cleaned_data["role"]).label.lower()},
            )
            return _back_to_contact(contact_id)
    search_form.describe_fields()
    form.describe_fields()
    error_links = form.error_links() if posted else []
    if search_form.is_bound and not posted:
        error_links = search_form.error_links()
    return render(
        request,
        "workspace/people/link.html",
        {
            "contact": contact,
            "search_form": search_form,
            "form": form,
            "found": found,
            "searched": search_form.is_bound and search_form.is_valid(),
            "error_links": error_links,
        },
    )


def unlink_role(request, contact_id: int, role_id: int):
    """End a person's role on the contact, with a reason (kept in the record's history)."""
    require(request, Capability.MANAGE_PEOPLE)
    matter_role = MatterRole.objects.filter(
        pk=role_id, contact_id=contact_id, ended_at__isnull=True
    ).first()
    if matter_role is None:
        raise Http404
    form = UnlinkForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            unlink(matter_role, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Unlinked from the contact."))
            return _back_to_contact(contact_id)
    contact = _contact_or_404(contact_id)
    people = people_on_contact(contact, user=request.user, purpose="unlink")
    linked = next((item for item in people.linked if item.role.pk == matter_role.pk), None)
    form.describe_fields()
    return render(
        request,
        "workspace/people/unlink.html",
        {
            "contact": contact,
            "linked": linked,
            "form": form,
            "error_links": form.error_links() if form.is_bound else [],
        },
    )
