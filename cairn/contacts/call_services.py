"""Writes for phone calls: the telephony system's call events, and taking a call.

``record_call_event`` keeps a ``Call`` up to date from the events a telephony
system reports (offered, answered, transferred, abandoned, ended). Events may
arrive in any order and more than once: an ``event_id`` seen before changes
nothing, and the call's timestamps come from when each event happened, not
when it arrived. An event that cannot have happened given the call's other
events (answered before it was offered, anything after it ended, an abandoned
call answered) is refused with ``ImpossibleCallSequence``.

Each event is published to the domain event log as ``call.<kind>`` with the
line, the queue and its measure (``seconds_to_answer``, ``seconds_to_abandon``),
never the caller's number or the agent. The measures count from the moment the
call was offered, so an event that arrives before its call's ``offered`` event
is published when that event arrives. The handling time (answer to end,
``seconds_handling``) goes on whichever of ``call.answered`` and ``call.ended``
is published second, so each answered call carries it exactly once.

``take_call`` records the contact a call handler takes on a 999 or 101 call
and links it to its call, in one transaction.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import phonenumbers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.contacts.models import LINE_CHANNELS, Call, CallEvent, CallEventKind, Contact, Line
from cairn.contacts.services import ContactSubmission, Receipt, _contains_nul, receive_contact
from cairn.events.services import record_event

PHONE_REGION = "GB"
CALL_TAKING_SOURCE = "call-taking"
CLOCK_SKEW = timedelta(minutes=5)
MAX_TEXT = 100

# The categories a call handler picks from while on the phone.
CALL_CATEGORIES = {
    "crime": _("Crime"),
    "anti_social_behaviour": _("Anti-social behaviour"),
    "road_traffic": _("Road traffic"),
    "concern_for_person": _("Concern for a person"),
    "other": _("Other"),
}

# Events that happen at most once in a call.
ONCE = frozenset(
    {
        CallEventKind.OFFERED,
        CallEventKind.ANSWERED,
        CallEventKind.ABANDONED,
        CallEventKind.ENDED,
    }
)
# Where each event sits in a call's life: an event never happens before one of lower rank.
RANK = {
    CallEventKind.OFFERED: 0,
    CallEventKind.ANSWERED: 1,
    CallEventKind.ABANDONED: 1,
    CallEventKind.TRANSFERRED: 2,
    CallEventKind.ENDED: 3,
}
# Pairs of events that cannot both happen in one call.
EXCLUSIVE = {
    CallEventKind.ABANDONED: frozenset({CallEventKind.ANSWERED, CallEventKind.TRANSFERRED}),
    CallEventKind.ANSWERED: frozenset({CallEventKind.ABANDONED}),
    CallEventKind.TRANSFERRED: frozenset({CallEventKind.ABANDONED}),
}


class ImpossibleCallSequence(Exception):
    """The event contradicts what is already known about its call."""

    def __init__(self, message: str, *, field: str = "kind"):
        super().__init__(message)
        self.message = message
        self.field = field


class EventIdReused(Exception):
    """An event id seen before arrived carrying a different event."""


@dataclass(frozen=True)
class CallEventReport:
    """One event as the telephony system reports it."""

    event_id: str
    call_id: str
    kind: str
    line: str
    occurred_at: datetime
    queue: str = ""
    caller_number: str = ""
    agent_ref: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CallEventReceipt:
    event: CallEvent
    created: bool


def normalise_phone(value: str, *, field_name: str = "caller_number") -> str:
    """'0131 496 0000' -> '+441314960000' (E.164, UK by default); '' stays ''."""
    value = (value or "").strip()
    if not value:
        return ""
    message = _("Enter a real phone number, like 0131 496 0000 or +44 131 496 0000")
    try:
        number = phonenumbers.parse(value, PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError({field_name: message}) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError({field_name: message})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _validate_report(report: CallEventReport) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name in ("event_id", "call_id"):
        value = getattr(report, name)
        if not value.strip() or len(value) > MAX_TEXT:
            errors[name] = f"Give 1 to {MAX_TEXT} characters"
    for name in ("queue", "agent_ref"):
        if len(getattr(report, name)) > MAX_TEXT:
            errors[name] = f"Keep it to {MAX_TEXT} characters"
    if report.kind not in CallEventKind.values:
        errors["kind"] = "Unknown kind of call event"
    if report.line not in Line.values:
        errors["line"] = "The line is 999 or 101"
    if timezone.is_naive(report.occurred_at):
        errors["occurred_at"] = "Give a time zone (for example 2026-03-02T09:00:00Z)"
    elif report.occurred_at > timezone.now() + CLOCK_SKEW:
        errors["occurred_at"] = "This time is in the future"
    if any(_contains_nul(value) for value in report.__dict__.values()):
        errors["body"] = "Text cannot contain NUL characters"
    try:
        normalise_phone(report.caller_number)
    except ValidationError as error:
        errors.update({name: " ".join(msgs) for name, msgs in error.message_dict.items()})
    return errors


def record_call_event(report: CallEventReport) -> CallEventReceipt:
    """Record one telephony event exactly once and bring its call up to date.

    Raises ValidationError for a malformed report, ImpossibleCallSequence for
    an event its call's other events rule out, and EventIdReused for a known
    event id carrying a different event; each having written nothing.
    """
    errors = _validate_report(report)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return _record(report)
    except IntegrityError:
        # A concurrent request with the same event id got there first.
        existing = CallEvent.objects.filter(event_id=report.event_id).select_related("call").first()
        if existing is None:
            raise
        return _duplicate(existing, report)


def _record(report: CallEventReport) -> CallEventReceipt:
    existing = CallEvent.objects.filter(event_id=report.event_id).select_related("call").first()
    if existing:
        return _duplicate(existing, report)
    call, _created = Call.objects.get_or_create(
        external_id=report.call_id, defaults={"line": report.line, "queue": report.queue}
    )
    call = Call.objects.select_for_update().get(pk=call.pk)
    history = list(call.events.order_by("occurred_at", "pk"))
    _check_sequence(call, history, report)
    event = CallEvent.objects.create(
        call=call,
        event_id=report.event_id,
        kind=report.kind,
        occurred_at=report.occurred_at,
        queue=report.queue,
        agent_ref=report.agent_ref,
        raw=report.raw,
    )
    caller_number = normalise_phone(report.caller_number)
    _apply(call, event, caller_number)
    if caller_number:
        record(
            Operation.COLLECTION,
            object_type="call",
            object_id=call.pk,
            fields=["caller_number"],
            context={"call_event": event.pk},
        )
    if event.kind == CallEventKind.OFFERED:
        for earlier in [event, *history]:
            _publish(call, earlier, catching_up=True)
    elif call.offered_at is not None:
        _publish(call, event)
    return CallEventReceipt(event, created=True)


def _duplicate(existing: CallEvent, report: CallEventReport) -> CallEventReceipt:
    same = (
        existing.call.external_id == report.call_id
        and existing.kind == report.kind
        and existing.occurred_at == report.occurred_at
        and existing.call.line == report.line
    )
    if not same:
        raise EventIdReused(f"Event {report.event_id} was first sent with different details")
    return CallEventReceipt(existing, created=False)


def _check_sequence(call: Call, history: list[CallEvent], report: CallEventReport) -> None:
    if report.line != call.line:
        raise ImpossibleCallSequence(
            f"Call {report.call_id} is on the {call.line} line, not {report.line}", field="line"
        )
    kind = CallEventKind(report.kind)
    for earlier in history:
        other = CallEventKind(earlier.kind)
        if other == kind and kind in ONCE:
            raise ImpossibleCallSequence(f"Call {report.call_id} was already {kind}")
        if other in EXCLUSIVE.get(kind, ()):
            raise ImpossibleCallSequence(
                f"Call {report.call_id} has a '{other}' event, so it cannot be '{kind}'"
            )
        if RANK[other] < RANK[kind] and earlier.occurred_at > report.occurred_at:
            raise ImpossibleCallSequence(
                f"'{kind}' cannot happen before the call's '{other}' event", field="occurred_at"
            )
        if RANK[other] > RANK[kind] and earlier.occurred_at < report.occurred_at:
            raise ImpossibleCallSequence(
                f"'{kind}' cannot happen after the call's '{other}' event", field="occurred_at"
            )


def _apply(call: Call, event: CallEvent, caller_number: str) -> None:
    """The call's fields from one more event. Sequence checks have made the order consistent."""
    changed: set[str] = set()

    def set_field(name: str, value: Any) -> None:
        if getattr(call, name) != value:
            setattr(call, name, value)
            changed.add(name)

    if event.kind == CallEventKind.OFFERED:
        set_field("offered_at", event.occurred_at)
        if event.queue:
            set_field("queue", event.queue)
    elif event.kind == CallEventKind.ANSWERED:
        set_field("answered_at", event.occurred_at)
        if event.agent_ref:
            set_field("agent_ref", event.agent_ref)
    elif event.kind == CallEventKind.TRANSFERRED:
        if call.transferred_at is None or event.occurred_at > call.transferred_at:
            set_field("transferred_at", event.occurred_at)
    elif event.kind == CallEventKind.ABANDONED:
        set_field("abandoned", True)
    elif event.kind == CallEventKind.ENDED:
        set_field("ended_at", event.occurred_at)
    if event.queue and not call.queue:
        set_field("queue", event.queue)
    if event.agent_ref and not call.agent_ref:
        set_field("agent_ref", event.agent_ref)
    if caller_number and not call.caller_number:
        set_field("caller_number", caller_number)
    if changed:
        call.save(update_fields=sorted(changed))


def _seconds_since_offered(call: Call, moment: datetime) -> float:
    return round((moment - call.offered_at).total_seconds(), 3)


def _seconds_handling(call: Call) -> float:
    return round((call.ended_at - call.answered_at).total_seconds(), 3)


def _publish(call: Call, event: CallEvent, *, catching_up: bool = False) -> None:
    """The domain event for one call event: dimensions and measures, no personal data.

    ``catching_up``: the call's ``offered`` event has just arrived and its earlier
    events are published in the order they happened, so "ended" comes after
    "answered" and carries the handling time.
    """
    data: dict[str, Any] = {"line": call.line, "queue": call.queue}
    if event.kind == CallEventKind.ANSWERED:
        data["seconds_to_answer"] = _seconds_since_offered(call, event.occurred_at)
        if call.ended_at is not None and not catching_up:  # "ended" was published before it
            data["seconds_handling"] = _seconds_handling(call)
    elif event.kind == CallEventKind.ABANDONED:
        data["seconds_to_abandon"] = _seconds_since_offered(call, event.occurred_at)
    elif event.kind == CallEventKind.TRANSFERRED:
        data["to_queue"] = event.queue
    elif event.kind == CallEventKind.ENDED:
        data["seconds_since_offered"] = _seconds_since_offered(call, event.occurred_at)
        if call.answered_at is not None:
            data["seconds_handling"] = _seconds_handling(call)
    record_event(
        f"call.{event.kind}",
        subject_type="call",
        subject_id=call.pk,
        occurred_at=event.occurred_at,
        channel=LINE_CHANNELS[Line(call.line)],
        data=data,
    )


@dataclass(frozen=True)
class CallTaking:
    """What a call handler records while on a 999 or 101 call."""

    line: str
    narrative: str
    category: str
    caller_number: str = ""
    caller_name: str = ""
    caller_date_of_birth: date | None = None  # helps matching the caller to their record
    address_text: str = ""
    postcode: str = ""
    anonymous: bool = False
    call_id: str = ""  # the telephony system's id, when the call came through it
    idempotency_key: str | None = None  # one per form shown: a double submit makes one contact


# Intake's field names -> the names call taking uses.
TAKING_FIELDS = {"reporter_name": "caller_name", "reporter_phone": "caller_number"}


def _validate_taking(taking: CallTaking) -> tuple[dict[str, str], str]:
    errors: dict[str, str] = {}
    caller_number = ""
    if taking.line not in Line.values:
        errors["line"] = _("Choose 999 or 101")
    if taking.category not in CALL_CATEGORIES:
        errors["category"] = _("Choose what the call is about")
    if len(taking.call_id) > MAX_TEXT:
        errors["call_id"] = f"Keep it to {MAX_TEXT} characters"
    if taking.anonymous and taking.caller_name.strip():
        errors["caller_name"] = _("Leave the name empty for an anonymous caller")
    if taking.anonymous and taking.caller_number.strip():
        errors["caller_number"] = _("Leave the number empty for an anonymous caller")
    born = taking.caller_date_of_birth
    if born and taking.anonymous:
        errors["caller_date_of_birth"] = _("Leave the date of birth empty for an anonymous caller")
    elif born and not (date(1900, 1, 1) <= born <= timezone.localdate()):
        errors["caller_date_of_birth"] = _("Enter a real date of birth, like 14/05/1979")
    try:
        caller_number = normalise_phone(taking.caller_number)
    except ValidationError as error:
        errors.setdefault("caller_number", " ".join(error.message_dict["caller_number"]))
    return errors, caller_number


def take_call(taking: CallTaking, *, user: Any) -> Receipt:
    """Record the contact from a 999 or 101 call, link it to its call, audit both.

    A call from the telephony system is found (or made, if its events have not
    arrived yet) by its id; a call with no id gets a call record of its own.
    With the same ``idempotency_key`` a second submit returns the first
    contact. Raises ValidationError (field -> message, in call-taking's field
    names) having written nothing.
    """
    if not has_capability(user, Capability.TAKE_CALLS):
        raise PermissionDenied
    errors, caller_number = _validate_taking(taking)
    if errors:
        raise ValidationError(errors)
    submission = ContactSubmission(
        channel=LINE_CHANNELS[Line(taking.line)],
        narrative=taking.narrative,
        category=taking.category,
        anonymous=taking.anonymous,
        reporter_name=taking.caller_name,
        reporter_phone=caller_number,
        reporter_details=(
            {"date_of_birth": taking.caller_date_of_birth.isoformat()}
            if taking.caller_date_of_birth
            else {}
        ),
        address_text=taking.address_text,
        postcode=taking.postcode,
        source=CALL_TAKING_SOURCE,
        idempotency_key=taking.idempotency_key,
    )
    try:
        with transaction.atomic():
            receipt = receive_contact(submission)
            if receipt.created:
                _link_to_call(receipt.contact, taking, caller_number, user)
            return receipt
    except ValidationError as error:
        raise ValidationError(
            {
                TAKING_FIELDS.get(name, name): " ".join(messages)
                for name, messages in error.message_dict.items()
            }
        ) from error


def _link_to_call(contact: Contact, taking: CallTaking, caller_number: str, user: Any) -> None:
    if taking.call_id:
        call, created = Call.objects.get_or_create(
            external_id=taking.call_id,
            defaults={"line": taking.line, "caller_number": caller_number, "agent": user},
        )
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.line != taking.line:
            raise ValidationError({"line": _("This call came in on %s") % call.line})
    else:
        call = Call.objects.create(line=taking.line, caller_number=caller_number, agent=user)
        created = True
    fields = ["line", "agent"] + (["caller_number"] if call.caller_number else [])
    if not created:
        fields = []
        if call.agent_id is None:
            call.agent = user
            fields.append("agent")
        if caller_number and not call.caller_number:
            call.caller_number = caller_number
            fields.append("caller_number")
        if fields:
            call.save(update_fields=fields)
    contact.call = call
    contact.save(update_fields=["call"])
    record(
        Operation.COLLECTION if created else Operation.ALTERATION,
        object_type="call",
        object_id=call.pk,
        fields=[*fields, "contacts"],
        context={"contact": contact.pk},
    )
