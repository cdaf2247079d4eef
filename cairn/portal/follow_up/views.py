"""The person's replies, survey answers and complaints, from their tracking page.

Every view checks ``may_track`` (the tracking code or a signed link proved it
in this browser) and otherwise sends the person to the tracking start page.
The forms post here; on an error the form is shown again on a page of its own
with what was typed and what to fix; on success the person is redirected to a
confirmation (so reloading it sends nothing again). Messages and complaints are
rate-limited per report and per client address.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from cairn.contacts.models import Contact
from cairn.engagement.queries import complaint_for_contact, message_already_sent, survey_is_open
from cairn.engagement.services import (
    ComplaintDetails,
    SurveyNotOpen,
    answer_survey,
    make_complaint,
    send_message_from_person,
)
from cairn.portal.follow_up.forms import ComplaintForm, MessageForm, SurveyForm
from cairn.portal.follow_up.tokens import new_form_token, read_form_token
from cairn.portal.tracking import for_tracked_report
from cairn.throttle.services import Limit, count_attempt, is_limited

PER_REPORT = Limit("follow-up-report", count=10, window=timedelta(hours=1))
PER_CLIENT = Limit("follow-up-client", count=30, window=timedelta(hours=1))


def _client(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _limited(request, reference: str) -> bool:
    return is_limited(PER_REPORT, reference) or is_limited(PER_CLIENT, _client(request))


def _count(request, reference: str) -> None:
    count_attempt(PER_REPORT, reference)
    count_attempt(PER_CLIENT, _client(request))


def _token(form, reference: str) -> str | None:
    return read_form_token(reference, form.cleaned_data.get("form_token", ""))


def _fresh_token(form, reference: str) -> None:
    """A bound form shown again keeps its token (still unused), or gets a new one if it had none."""
    data = form.data.copy()
    if read_form_token(reference, data.get("form_token", "")) is None:
        data["form_token"] = new_form_token(reference)
    form.data = data


def _show(request, template: str, contact: Contact, form, *, problem: str = "", status=400):
    _fresh_token(form, contact.reference)
    form.describe_fields()
    return render(
        request,
        template,
        {"reference": contact.reference, "form": form, "problem": problem},
        status=status,
    )


def _errors_from(error: ValidationError, form) -> None:
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def _too_many() -> str:
    return _("Too many messages from this report. Try again in an hour, or call 101.")


# Send us new information or a reply --------------------------------------------------------------


@never_cache
@for_tracked_report
def message(request, contact: Contact):
    reference = contact.reference
    template = "portal/follow_up/message.html"
    if request.method != "POST":
        form = MessageForm(initial={"form_token": new_form_token(reference)})
        form.describe_fields()
        return render(request, template, {"reference": reference, "form": form})
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _show(request, template, contact, form)
    token = _token(form, reference)
    if token is None:
        problem = _("This page was open too long. Check your message and send it again.")
        return _show(request, template, contact, form, problem=problem)
    if not message_already_sent(token) and _limited(request, reference):
        return _show(request, template, contact, form, problem=_too_many(), status=429)
    try:
        saved = send_message_from_person(
            contact, text=form.cleaned_data["text"], form_token=token, language=get_language()
        )
    except ValidationError as error:
        _errors_from(error, form)
        return _show(request, template, contact, form)
    if saved.created:
        _count(request, reference)
    return redirect("portal:follow_up_message_sent", reference=reference)


@never_cache
@for_tracked_report
def message_sent(request, contact: Contact):
    reference = contact.reference
    return render(request, "portal/follow_up/message_sent.html", {"reference": reference})


# The closure survey -------------------------------------------------------------------------------


@never_cache
@for_tracked_report
def survey(request, contact: Contact):
    reference = contact.reference
    if not survey_is_open(contact):
        return redirect("portal:track_status", reference=reference)
    template = "portal/follow_up/survey.html"
    if request.method != "POST":
        form = SurveyForm(initial={"form_token": new_form_token(reference)})
        form.describe_fields()
        return render(request, template, {"reference": reference, "form": form})
    form = SurveyForm(request.POST)
    if not form.is_valid():
        return _show(request, template, contact, form)
    try:
        answer_survey(
            contact,
            scores=form.scores(),
            comment=form.cleaned_data["comment"],
            language=get_language(),
        )
    except ValidationError as error:
        _errors_from(error, form)
        return _show(request, template, contact, form)
    except SurveyNotOpen:
        return redirect("portal:track_status", reference=reference)
    return redirect("portal:follow_up_survey_done", reference=reference)


@never_cache
@for_tracked_report
def survey_done(request, contact: Contact):
    reference = contact.reference
    return render(request, "portal/follow_up/survey_done.html", {"reference": reference})


# A complaint -----------------------------------------------------------------------------------


@never_cache
@for_tracked_report
def complaint(request, contact: Contact):
    reference = contact.reference
    template = "portal/follow_up/complaint.html"
    if request.method != "POST":
        form = ComplaintForm(initial={"form_token": new_form_token(reference)})
        form.describe_fields()
        return render(request, template, {"reference": reference, "form": form})
    form = ComplaintForm(request.POST)
    if not form.is_valid():
        return _show(request, template, contact, form)
    token = _token(form, reference)
    if token is None:
        problem = _("This page was open too long. Check your complaint and send it again.")
        return _show(request, template, contact, form, problem=problem)
    if _limited(request, reference):
        return _show(request, template, contact, form, problem=_too_many(), status=429)
    data = form.cleaned_data
    try:
        saved = make_complaint(
            contact,
            ComplaintDetails(
                what_happened=data["what_happened"],
                put_right=data["put_right"],
                contact_route=data["contact_route"],
                contact_email=data["contact_email"],
                contact_phone=data["contact_phone"],
            ),
            form_token=token,
            language=get_language(),
        )
    except ValidationError as error:
        _errors_from(error, form)
        return _show(request, template, contact, form)
    if saved.created:
        _count(request, reference)
    return redirect(
        "portal:follow_up_complaint_received",
        reference=reference,
        complaint_reference=saved.row.reference,
    )


@never_cache
@for_tracked_report
def complaint_received(request, contact: Contact, complaint_reference: str):
    reference = contact.reference
    found = complaint_for_contact(contact, complaint_reference)
    if found is None:
        raise Http404
    return render(
        request,
        "portal/follow_up/complaint_received.html",
        {"reference": reference, "complaint": found},
    )
