"""Writes for what the person tells us back: a message, the closure survey, a complaint.

The caller (the portal) has checked that the person may see ``contact`` (their
tracking code or a signed link). Each function is one transaction with its
audit row and domain event; events carry ids, codes and scores, never the
person's words.

Saved exactly once: a message and a complaint carry the form's one-time token
(made by the portal, ``cairn/portal/follow_up/tokens.py``); a transaction-scoped
advisory lock on it makes a second post of the same form (a double click, a
browser's resend) wait for the first and then find it, so it returns the first
instead of saving again. A survey is once per contact (a unique constraint).
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.cases.models import Case
from cairn.cases.queries import case_for_contact
from cairn.cases.services import CaseError, record_message_from_person
from cairn.contacts.models import Contact, Reason
from cairn.contacts.services import ContactSubmission, receive_contact
from cairn.contacts.tracking_links import tracking_link
from cairn.engagement.models import (
    MAX_COMMENT_LENGTH,
    MAX_COMPLAINT_LENGTH,
    MAX_MESSAGE_LENGTH,
    MAX_PUT_RIGHT_LENGTH,
    Complaint,
    ContactRoute,
    Measure,
    MessageRoute,
    PersonMessage,
    SurveyResponse,
)
from cairn.events.services import record_event
from cairn.notify.models import MessageChannel
from cairn.notify.services import InvalidRecipient, normalise_recipient, queue_message

FOLLOW_UP_SOURCE = "tracking-page"


class SurveyNotOpen(Exception):
    """The contact's case is not closed (or there is none): there is nothing to rate yet."""


@dataclass(frozen=True)
class Saved:
    """What a write came to: the row, and whether this call made it (False: made before)."""

    row: Any
    created: bool


def _hold(token: str) -> None:
    """Take the form token's lock until the transaction ends (two posts of one form queue)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [token])


def _text(value: str, *, field: str, limit: int, required: bool, empty: str) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise ValidationError({field: empty})
    if len(cleaned) > limit:
        raise ValidationError(
            {
                field: _("Keep it under %(max)d characters (this has %(count)d).")
                % {"max": limit, "count": len(cleaned)}
            }
        )
    if "\x00" in cleaned:
        raise ValidationError({field: _("Remove the unusual characters from the text.")})
    return cleaned


# New information or a reply ------------------------------------------------------------------


def send_message_from_person(
    contact: Contact, *, text: str, form_token: str, language: str
) -> Saved:
    """The person's new information or reply, saved once per form token.

    With an open case it goes on the case's timeline and the owning officer's
    worklist (``record_message_from_person``). Without one (no case yet, or the
    case is closed) it becomes a follow-up contact, related to this one, in the
    queue, with the person's contact details copied from this contact.
    """
    cleaned = _text(
        text,
        field="text",
        limit=MAX_MESSAGE_LENGTH,
        required=True,
        empty=_("Write your message"),
    )
    with transaction.atomic():
        _hold(form_token)
        existing = PersonMessage.objects.filter(form_token=form_token).first()
        if existing is not None:
            return Saved(existing, created=False)
        message = PersonMessage(form_token=form_token, contact=contact)
        case = case_for_contact(contact)
        update = None
        if case is not None and not case.is_closed:
            try:
                update = record_message_from_person(contact, text=cleaned)
            except CaseError:  # closed a moment ago: the queue takes it instead
                update = None
        if update is not None:
            message.route, message.case_update = MessageRoute.CASE_TIMELINE, update
        else:
            message.route = MessageRoute.FOLLOW_UP_CONTACT
            message.follow_up_id = _follow_up_contact(contact, cleaned, form_token, language)
        message.save(force_insert=True)
        return Saved(message, created=True)


def _follow_up_contact(contact: Contact, text: str, form_token: str, language: str) -> int:
    receipt = receive_contact(
        ContactSubmission(
            channel="web_form",
            narrative=text,
            language=language,
            reason=Reason.UPDATE,
            related_reference=contact.reference,
            anonymous=contact.anonymous,
            reporter_name=contact.reporter_name,
            reporter_email=contact.reporter_email,
            reporter_phone=contact.reporter_phone,
            preferred_contact=contact.preferred_contact,
            source=FOLLOW_UP_SOURCE,
            idempotency_key=f"follow-up:{form_token}",
        )
    )
    return receipt.contact_id


# The closure survey ------------------------------------------------------------------------


def answer_survey(
    contact: Contact, *, scores: dict[str, int | None], comment: str, language: str
) -> Saved:
    """The closure survey's answers, stored once per contact with the case and channel.

    ``scores`` maps each ``Measure`` to 1–5 (``attending_officer`` may be None:
    no officer came). A second answer keeps the first and returns it
    (``created=False``). Raises ``SurveyNotOpen`` unless the contact's case is closed.
    """
    comment = _text(comment, field="comment", limit=MAX_COMMENT_LENGTH, required=False, empty="")
    _check_scores(scores)
    case = case_for_contact(contact)
    if case is None or not case.is_closed:
        raise SurveyNotOpen
    with transaction.atomic():
        existing = SurveyResponse.objects.filter(contact=contact).first()
        if existing is not None:
            return Saved(existing, created=False)
        response = SurveyResponse(
            case=case,
            contact=contact,
            channel=contact.channel,
            language=language,
            comment=comment,
            **{measure: scores.get(measure) for measure in Measure.values},
        )
        try:
            with transaction.atomic():
                response.save(force_insert=True)
        except IntegrityError:  # answered in another tab a moment ago
            return Saved(SurveyResponse.objects.get(contact=contact), created=False)
        record(
            Operation.COLLECTION,
            object_type="survey_response",
            object_id=response.pk,
            fields=[*Measure.values, *(["comment"] if comment else [])],
            context={"case": case.pk, "contact": contact.pk},
        )
        record_event(
            "survey.answered",
            subject_type="case",
            subject_id=case.pk,
            division=case.division_id or "",
            channel=contact.channel,
            data={
                "survey": response.pk,
                "contact": contact.pk,
                "scores": response.scores(),
                "commented": bool(comment),
            },
        )
        return Saved(response, created=True)


def _check_scores(scores: dict[str, int | None]) -> None:
    errors = {}
    for measure in Measure.values:
        value = scores.get(measure)
        if value is None and measure == Measure.ATTENDING_OFFICER:
            continue
        if not isinstance(value, int) or not 1 <= value <= 5:
            errors[measure] = _("Choose one answer")
    if errors:
        raise ValidationError(errors)


# A complaint -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintDetails:
    what_happened: str
    put_right: str
    contact_route: str
    contact_email: str = ""
    contact_phone: str = ""


def make_complaint(
    contact: Contact, details: ComplaintDetails, *, form_token: str, language: str
) -> Saved:
    """A complaint about the service, saved once per form token and acknowledged by message.

    The acknowledgement (template ``complaint_received``) says only that it
    arrived, with its reference and a link to the tracking page, by the route
    the person chose; none when they asked not to be contacted.
    """
    what_happened = _text(
        details.what_happened,
        field="what_happened",
        limit=MAX_COMPLAINT_LENGTH,
        required=True,
        empty=_("Tell us what happened"),
    )
    put_right = _text(
        details.put_right,
        field="put_right",
        limit=MAX_PUT_RIGHT_LENGTH,
        required=False,
        empty="",
    )
    route, address = _route(details)
    with transaction.atomic():
        _hold(form_token)
        existing = Complaint.objects.filter(form_token=form_token).first()
        if existing is not None:
            return Saved(existing, created=False)
        case = case_for_contact(contact)
        complaint = Complaint(
            form_token=form_token,
            contact=contact,
            case=case,
            what_happened=what_happened,
            put_right=put_right,
            contact_route=route,
            contact_email=address if route == ContactRoute.EMAIL else "",
            contact_phone=address if route == ContactRoute.PHONE else "",
            language=language,
        )
        complaint.save(force_insert=True)
        complaint.refresh_from_db(fields=["reference"])
        complaint.acknowledged = _acknowledge(complaint, contact, route, address, language)
        if complaint.acknowledged:
            complaint.save(update_fields=["acknowledged"])
        record(
            Operation.COLLECTION,
            object_type="complaint",
            object_id=complaint.pk,
            fields=[
                name
                for name in ("what_happened", "put_right", "contact_email", "contact_phone")
                if getattr(complaint, name)
            ],
            context={"contact": contact.pk, "case": case.pk if case else None},
        )
        record_event(
            "complaint.received",
            subject_type="complaint",
            subject_id=complaint.pk,
            division=_division(case, contact),
            channel=contact.channel,
            data={
                "contact": contact.pk,
                "case": case.pk if case else None,
                "contact_route": route,
                "acknowledged": complaint.acknowledged,
            },
        )
        return Saved(complaint, created=True)


def _division(case: Case | None, contact: Contact) -> str:
    return (case.division_id if case else None) or contact.division_id or ""


def _route(details: ComplaintDetails) -> tuple[str, str]:
    route = details.contact_route
    if route not in ContactRoute.values:
        raise ValidationError({"contact_route": _("Choose how we should contact you")})
    channel = {ContactRoute.EMAIL: MessageChannel.EMAIL, ContactRoute.PHONE: MessageChannel.SMS}
    if route == ContactRoute.EMAIL:
        field, address, problem = (
            "contact_email",
            details.contact_email,
            _("Enter an email address, like name@example.com"),
        )
    elif route == ContactRoute.PHONE:
        field, address, problem = (
            "contact_phone",
            details.contact_phone,
            _("Enter a UK phone number, like 07911 123456"),
        )
    else:
        return route, ""
    try:
        return route, normalise_recipient(channel[route], address)
    except InvalidRecipient:
        raise ValidationError({field: problem}) from None


def _acknowledge(
    complaint: Complaint, contact: Contact, route: str, address: str, language: str
) -> bool:
    if route == ContactRoute.NONE:
        return False
    channel = MessageChannel.EMAIL if route == ContactRoute.EMAIL else MessageChannel.SMS
    queue_message(
        channel=channel,
        to=address,
        template="complaint_received",
        language=language,
        context={
            "reference": contact.reference,
            "complaint_reference": complaint.reference,
            "link": tracking_link(contact, language),
        },
        idempotency_key=f"complaint-received:{complaint.pk}",
    )
    return True
