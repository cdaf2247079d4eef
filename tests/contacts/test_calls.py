"""Call events from the telephony system, and taking a call into a contact."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cairn.audit.context import acting_as
from cairn.audit.models import AuditEvent
from cairn.contacts.call_services import (
    CallEventReport,
    CallTaking,
    EventIdReused,
    ImpossibleCallSequence,
    normalise_phone,
    record_call_event,
    take_call,
)
from cairn.contacts.models import Call, CallEvent, Contact
from cairn.events.models import DomainEvent

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CALLER = "0131 496 0123"


def report(kind: str, seconds: float, *, call: str = "c1", line: str = "999", **extra):
    return CallEventReport(
        event_id=extra.pop("event_id", f"{call}-{kind}"),
        call_id=call,
        kind=kind,
        line=line,
        occurred_at=T0 + timedelta(seconds=seconds),
        queue=extra.pop("queue", "edinburgh-999"),
        **extra,
    )


def events(name: str | None = None):
    found = DomainEvent.objects.filter(subject_type="call").order_by("id")
    return found.filter(name=name) if name else found


# Recording events


def test_the_first_event_creates_the_call():
    receipt = record_call_event(report("offered", 0, caller_number=CALLER))
    assert receipt.created
    call = Call.objects.get()
    assert (call.external_id, call.line, call.queue, call.offered_at) == (
        "c1",
        "999",
        "edinburgh-999",
        T0,
    )
    assert call.caller_number == "+441314960123"


def test_a_repeated_event_id_changes_nothing():
    first = record_call_event(report("offered", 0))
    again = record_call_event(report("offered", 0))
    assert first.created and not again.created
    assert again.event.pk == first.event.pk
    assert CallEvent.objects.count() == 1
    assert events().count() == 1


def test_an_event_id_reused_for_a_different_event_is_refused():
    record_call_event(report("offered", 0))
    with pytest.raises(EventIdReused):
        record_call_event(report("answered", 5, event_id="c1-offered"))
    assert CallEvent.objects.count() == 1


def test_answer_time_comes_from_when_the_events_happened():
    record_call_event(report("offered", 0))
    record_call_event(report("answered", 12.5, agent_ref="agent-7"))
    call = Call.objects.get()
    assert call.answered_at - call.offered_at == timedelta(seconds=12.5)
    assert call.agent_ref == "agent-7"
    assert events("call.answered").get().data == {
        "line": "999",
        "queue": "edinburgh-999",
        "seconds_to_answer": 12.5,
    }


def test_answered_arriving_before_offered_still_gives_the_answer_time():
    record_call_event(report("answered", 20))
    assert not events().exists()  # waits for the moment the call was offered
    record_call_event(report("offered", 0))
    call = Call.objects.get()
    assert (call.offered_at, call.answered_at) == (T0, T0 + timedelta(seconds=20))
    assert [event.name for event in events()] == ["call.offered", "call.answered"]
    assert events("call.answered").get().data["seconds_to_answer"] == 20


def test_events_in_any_order_give_the_same_call():
    kinds = [("ended", 300), ("transferred", 90), ("offered", 0), ("answered", 15)]
    for kind, seconds in kinds:
        record_call_event(report(kind, seconds, queue="east-101", line="101"))
    call = Call.objects.get()
    assert call.offered_at == T0
    assert call.answered_at == T0 + timedelta(seconds=15)
    assert call.transferred_at == T0 + timedelta(seconds=90)
    assert call.ended_at == T0 + timedelta(seconds=300)
    assert not call.abandoned
    assert [event.name for event in events().order_by("occurred_at")] == [
        "call.offered",
        "call.answered",
        "call.transferred",
        "call.ended",
    ]


def test_an_abandoned_call_is_counted_with_its_wait():
    record_call_event(report("offered", 0))
    record_call_event(report("abandoned", 42))
    call = Call.objects.get()
    assert call.abandoned and call.answered_at is None
    assert events("call.abandoned").get().data == {
        "line": "999",
        "queue": "edinburgh-999",
        "seconds_to_abandon": 42,
    }


def test_answer_time_and_abandonment_can_be_measured_from_the_event_log():
    for number, answer_after in enumerate([10, 20, None, 30]):
        call = f"c{number}"
        record_call_event(report("offered", number, call=call))
        if answer_after is None:
            record_call_event(report("abandoned", number + 60, call=call))
        else:
            record_call_event(report("answered", number + answer_after, call=call))
    offered = events("call.offered").filter(data__line="999").count()
    answers = [event.data["seconds_to_answer"] for event in events("call.answered")]
    abandoned = events("call.abandoned").count()
    assert sum(answers) / len(answers) == 20
    assert abandoned / offered == 0.25


def test_call_events_carry_no_personal_data():
    record_call_event(report("offered", 0, caller_number=CALLER, agent_ref="agent-7"))
    record_call_event(report("answered", 3, agent_ref="agent-7"))
    logged = json.dumps([event.data for event in events()])
    assert "496" not in logged
    assert "agent-7" not in logged


def test_collecting_the_callers_number_is_audited_by_field_name():
    record_call_event(report("offered", 0, caller_number=CALLER))
    audit = AuditEvent.objects.get(object_type="call")
    assert (audit.operation, audit.fields) == ("collection", ["caller_number"])
    assert "496" not in json.dumps(audit.context)


@pytest.mark.parametrize(
    ("first", "then", "message"),
    [
        (("offered", 30), ("answered", 10), "'answered' cannot happen before"),
        (("answered", 10), ("offered", 30), "'offered' cannot happen after"),
        (("ended", 10), ("transferred", 30), "'transferred' cannot happen after"),
        (("abandoned", 10), ("answered", 5), "cannot be 'answered'"),
        (("answered", 10), ("abandoned", 20), "cannot be 'abandoned'"),
        (("abandoned", 10), ("transferred", 20), "cannot be 'transferred'"),
    ],
)
def test_impossible_sequences_are_refused_with_a_clear_error(first, then, message):
    record_call_event(report(*first))
    with pytest.raises(ImpossibleCallSequence, match=message):
        record_call_event(report(*then))
    assert CallEvent.objects.count() == 1


def test_a_call_is_offered_only_once():
    record_call_event(report("offered", 0))
    with pytest.raises(ImpossibleCallSequence, match="was already offered"):
        record_call_event(report("offered", 5, event_id="another"))


def test_a_call_cannot_change_line():
    record_call_event(report("offered", 0, line="999"))
    with pytest.raises(ImpossibleCallSequence) as raised:
        record_call_event(report("answered", 5, line="101"))
    assert raised.value.field == "line"


def test_a_call_can_be_transferred_more_than_once():
    record_call_event(report("offered", 0))
    record_call_event(report("answered", 5))
    record_call_event(report("transferred", 60, event_id="t1", queue="resolution"))
    record_call_event(report("transferred", 30, event_id="t2", queue="mental-health"))
    assert Call.objects.get().transferred_at == T0 + timedelta(seconds=60)
    assert sorted(e.data["to_queue"] for e in events("call.transferred")) == [
        "mental-health",
        "resolution",
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "rang"}, "kind"),
        ({"line": "112"}, "line"),
        ({"caller_number": "not a number"}, "caller_number"),
        ({"occurred_at": datetime(2026, 3, 2, 9, 0)}, "occurred_at"),  # naive on purpose
        ({"occurred_at": datetime.now(UTC) + timedelta(hours=1)}, "occurred_at"),
        ({"queue": "a\x00b"}, "body"),
    ],
)
def test_malformed_reports_are_refused_naming_the_field(change, field):
    base = report("offered", 0).__dict__
    with pytest.raises(ValidationError) as raised:
        record_call_event(CallEventReport(**{**base, **change}))
    assert field in raised.value.message_dict
    assert not Call.objects.exists()


def test_phone_numbers_are_kept_in_e164():
    assert normalise_phone("0131 496 0123") == "+441314960123"
    assert normalise_phone("+44 (0)131 496 0123") == "+441314960123"
    assert normalise_phone("") == ""
    with pytest.raises(ValidationError):
        normalise_phone("12345")


# Taking a call


def taking(**change) -> CallTaking:
    values = {
        "line": "999",
        "narrative": "Two men are fighting outside the bar, one has a bottle.",
        "category": "crime",
        "caller_number": CALLER,
        "caller_name": "Jo Bloggs",
        "address_text": "12 Leith Walk, Edinburgh",
        "postcode": "eh6 8ry",
    }
    return CallTaking(**{**values, **change})


def taken_by(user, **change):
    with acting_as("web", user=user):
        return take_call(taking(**change), user=user)


def test_taking_a_call_makes_one_contact_linked_to_a_new_call(advisor):
    receipt = taken_by(advisor)
    contact = receipt.contact
    assert (contact.channel, contact.source, contact.reporter_phone) == (
        "phone_999",
        "call-taking",
        "+441314960123",
    )
    assert contact.postcode == "EH6 8RY"
    call = contact.call
    assert (call.line, call.caller_number, call.agent, call.external_id) == (
        "999",
        "+441314960123",
        advisor,
        None,
    )


def test_a_101_call_is_a_101_contact(advisor):
    assert taken_by(advisor, line="101").contact.channel == "phone_101"


def test_taking_a_call_links_to_the_telephony_call(advisor):
    record_call_event(report("offered", 0, call="tel-9", caller_number=CALLER))
    contact = taken_by(advisor, call_id="tel-9").contact
    call = Call.objects.get()
    assert contact.call == call
    assert call.agent == advisor


def test_a_call_taken_before_its_events_arrive_is_completed_by_them(advisor):
    taken_by(advisor, call_id="tel-10")
    record_call_event(report("offered", 0, call="tel-10"))
    call = Call.objects.get()
    assert call.offered_at == T0
    assert call.contacts.count() == 1


def test_the_line_must_match_the_telephony_call(advisor):
    record_call_event(report("offered", 0, call="tel-11", line="101"))
    with pytest.raises(ValidationError) as raised:
        taken_by(advisor, call_id="tel-11", line="999")
    assert "line" in raised.value.message_dict
    assert not Contact.objects.exists()


def test_the_same_submission_twice_makes_one_contact(advisor):
    first = taken_by(advisor, idempotency_key="abc123")
    second = taken_by(advisor, idempotency_key="abc123")
    assert first.contact.pk == second.contact.pk
    assert not second.created
    assert (Contact.objects.count(), Call.objects.count()) == (1, 1)


def test_taking_a_call_is_audited_with_field_names_only(advisor):
    contact = taken_by(advisor).contact
    audit = AuditEvent.objects.get(object_type="call")
    assert audit.operation == "collection"
    assert audit.actor_id == advisor.pk
    assert audit.context == {"contact": contact.pk}
    assert "caller_number" in audit.fields
    collected = AuditEvent.objects.get(object_type="contact", operation="collection")
    assert "reporter_phone" in collected.fields


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"narrative": "  "}, "narrative"),
        ({"category": "parking"}, "category"),
        ({"line": "112"}, "line"),
        ({"caller_number": "0131"}, "caller_number"),
        ({"postcode": "NOT A PC"}, "postcode"),
        ({"anonymous": True}, "caller_name"),
        ({"anonymous": True, "caller_name": ""}, "caller_number"),
    ],
)
def test_an_invalid_call_is_refused_naming_the_field(advisor, change, field):
    with pytest.raises(ValidationError) as raised:
        taken_by(advisor, **change)
    assert field in raised.value.message_dict
    assert not Contact.objects.exists()
    assert not Call.objects.exists()


def test_an_anonymous_caller_leaves_no_number_on_the_contact_or_the_call(advisor):
    contact = taken_by(advisor, anonymous=True, caller_name="", caller_number="").contact
    assert contact.anonymous
    assert (contact.reporter_phone, contact.call.caller_number) == ("", "")


def test_only_call_takers_may_take_calls(analyst):
    with pytest.raises(PermissionDenied):
        taken_by(analyst)
    assert not Contact.objects.exists()
