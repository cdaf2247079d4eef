"""The case page (/staff/cases/<reference>/) and its actions.

Every read of the page is audited: the timeline (one consultation of the
case), each contact shown and each person shown. Every action is a plain
form posting to its own URL; success redirects back to the page (a reload
never repeats it), a refusal shows the page again with the form as typed.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cairn.cases.categories import category_label
from cairn.cases.models import Case
from cairn.cases.queries import case_timeline, contacts_of_case
from cairn.cases.services import (
    CaseError,
    acknowledge_messages_from_person,
    add_update,
    record_crime,
)
from cairn.contacts.models import Channel
from cairn.people.contact_queries import people_on_contact
from cairn.people.queries import may_view_people
from cairn.resolution.services import (
    close_in_entirety,
    closing_outcomes,
    hand_on,
    offer_video_call,
    record_resolution_contact,
)
from cairn.workspace.cases.forms import (
    CloseForm,
    CrimeForm,
    HandOnForm,
    ResolutionContactForm,
    UpdateForm,
)
from cairn.workspace.cases.views import case_or_404, require_case_worker


def _url_if_built(name: str, *args: object) -> str | None:
    """A link to a page another part of Cairn provides, if this installation has it."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _contact_rows(request, case: Case) -> list[dict[str, Any]]:
    contacts = contacts_of_case(case, user=request.user)
    show_people = may_view_people(request.user)
    rows = []
    for contact in contacts:
        people = (
            people_on_contact(contact, user=request.user, purpose="case") if show_people else None
        )
        rows.append(
            {
                "contact": contact,
                "channel": Channel(contact.channel).label
                if contact.channel in Channel.values
                else contact.channel,
                "people": people.linked if people else [],
                "book_url": _url_if_built("workspace:appointments_book", contact.reference),
            }
        )
    return rows


def _forms(request, case: Case, bound: dict[str, Any]) -> dict[str, Any]:
    outcomes = closing_outcomes(case, request.user)
    return {
        "update_form": bound.get("update_form") or UpdateForm(prefix="update"),
        "call_form": bound.get("call_form") or ResolutionContactForm(prefix="call"),
        "crime_form": bound.get("crime_form") or CrimeForm(prefix="crime"),
        "hand_on_form": bound.get("hand_on_form") or HandOnForm(prefix="hand_on"),
        "close_form": bound.get("close_form") or CloseForm(prefix="close", outcomes=outcomes),
    }


def _render_case(request, case: Case, *, status: int = 200, **bound: Any):
    context: dict[str, Any] = {
        "case": case,
        "category": category_label(case.category),
        "contacts": _contact_rows(request, case),
        "timeline": case_timeline(case, user=request.user),
        "refer_url": _url_if_built("workspace:partners_refer", case.reference),
    }
    if not case.is_closed:
        forms = _forms(request, case, bound)
        with_errors = [form for form in forms.values() if form.is_bound and form.errors]
        for form in forms.values():
            form.describe_fields()
        context.update(forms)
        context["error_links"] = [link for form in with_errors for link in form.error_links()]
    return render(request, "workspace/cases/case.html", context, status=status)


def case_detail(request, reference: str):
    require_case_worker(request)
    return _render_case(request, case_or_404(reference))


def _act(
    request,
    reference: str,
    form,
    form_name: str,
    action: Callable[[Case, Any], str],
    anchor: str,
    aliases: dict[str, str] | None = None,
):
    """Run ``action(case, form)`` (returning the success message); on a refusal show the
    page again with the form's errors, as typed."""
    case = case_or_404(reference)
    if form.is_valid():
        try:
            done = action(case, form)
        except ValidationError as error:
            form.add_service_errors(error, aliases)
        except CaseError as refusal:
            messages.warning(request, str(refusal))
            return redirect("workspace:case_detail", reference=case.reference)
        else:
            messages.success(request, done)
            url = reverse("workspace:case_detail", kwargs={"reference": case.reference})
            return redirect(f"{url}#{anchor}")
    return _render_case(request, case, **{form_name: form})


@require_POST
def update(request, reference: str):
    require_case_worker(request)

    def action(case, form):
        shared = form.cleaned_data["shared"] == "yes"
        add_update(case, text=form.cleaned_data["text"], public=shared, actor=request.user)
        return _("Update shared with the person.") if shared else _("Internal update added.")

    form = UpdateForm(request.POST, prefix="update")
    return _act(request, reference, form, "update_form", action, "timeline")


@require_POST
def resolution_contact(request, reference: str):
    require_case_worker(request)

    def action(case, form):
        data = form.cleaned_data
        record_resolution_contact(
            case,
            method=data["method"],
            reached=data["reached"] == "yes",
            outcome=data["outcome"],
            actor=request.user,
        )
        return _("Outcome of the call recorded.")

    form = ResolutionContactForm(request.POST, prefix="call")
    return _act(request, reference, form, "call_form", action, "timeline")


@require_POST
def video_link(request, reference: str):
    require_case_worker(request)
    case = case_or_404(reference)
    share = request.POST.get("share") == "yes"
    try:
        link = offer_video_call(case, share=share, actor=request.user)
    except CaseError as refusal:
        messages.warning(request, str(refusal))
    else:
        if share:
            text = _("Video meeting link shared with the person: %(link)s")
        else:
            text = _("Video meeting link made (not shared): %(link)s")
        messages.success(request, text % {"link": link})
    url = reverse("workspace:case_detail", kwargs={"reference": case.reference})
    return redirect(f"{url}#call")


@require_POST
def crime(request, reference: str):
    require_case_worker(request)

    def action(case, form):
        record_crime(case, classification=form.cleaned_data["classification"], actor=request.user)
        return _("Crime recorded.")

    form = CrimeForm(request.POST, prefix="crime")
    return _act(request, reference, form, "crime_form", action, "case-details")


@require_POST
def hand_on_case(request, reference: str):
    require_case_worker(request)

    def action(case, form):
        data = form.cleaned_data
        handed = hand_on(
            case,
            team=data["team"],
            officer=data["officer"],
            rationale=data["rationale"],
            actor=request.user,
        )
        receiver = handed.to_officer or handed.to_team
        return _("Handed on to %(receiver)s.") % {"receiver": receiver}

    form = HandOnForm(request.POST, prefix="hand_on")
    return _act(request, reference, form, "hand_on_form", action, "case-details")


@require_POST
def close(request, reference: str):
    require_case_worker(request)
    case = case_or_404(reference)

    def action(case, form):
        data = form.cleaned_data
        close_in_entirety(
            case,
            outcome=data["outcome"],
            public_message=data["public_message"],
            actor=request.user,
        )
        return _("%(reference)s is closed.") % {"reference": case.reference}

    form = CloseForm(request.POST, prefix="close", outcomes=closing_outcomes(case, request.user))
    return _act(request, reference, form, "close_form", action, "case-details")


@require_POST
def acknowledge(request, reference: str):
    require_case_worker(request)
    case = case_or_404(reference)
    acknowledge_messages_from_person(case, actor=request.user)
    messages.success(request, _("The person's message is marked as read."))
    url = reverse("workspace:case_detail", kwargs={"reference": case.reference})
    return redirect(f"{url}#timeline")
