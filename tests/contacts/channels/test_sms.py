"""SMS: the provider's JSON webhook into a contact."""

import json
from datetime import UTC, datetime

import pytest

from cairn.contacts.channels.base import InboundRejected
from cairn.contacts.channels.sms.inbound import parse
from cairn.contacts.models import Contact
from tests.contacts.channels.conftest import post


def parsed(payload: dict):
    return parse(json.dumps(payload).encode(), "application/json")


def test_the_sender_is_normalised_to_e164(sms_payload):
    result = parsed(sms_payload)
    assert result.submission.reporter_phone == "+447700900123"
    assert result.reply_to == "+447700900123"
    assert result.provider_message_id == "SM-0001"
    assert result.submission.narrative == "There is a man trying car doors on Easter Road"
    assert result.submission.answers == {"sms_to": "+447800000101"}


@pytest.mark.parametrize(
    ("sender", "expected"),
    [
        ("+44 7700 900123", "+447700900123"),
        ("(07700) 900-123", "+447700900123"),
        ("+353 85 123 4567", "+353851234567"),
    ],
)
def test_the_usual_ways_of_writing_a_number_agree(sms_payload, sender, expected):
    assert parsed({**sms_payload, "from": sender}).submission.reporter_phone == expected


def test_numeric_message_ids_are_taken_as_text(sms_payload):
    assert parsed({**sms_payload, "message_id": 12345}).provider_message_id == "12345"


def test_the_providers_receipt_time_is_the_contacts_time(client, db, sms_payload):
    sms_payload["received_at"] = "2026-01-05T08:15:00+01:00"
    assert post(client, "sms", sms_payload).status_code == 201
    assert Contact.objects.get().received_at == datetime(2026, 1, 5, 7, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"message_id": ""}, "message_id"),
        ({"message_id": True}, "message_id"),
        ({"message_id": "x" * 201}, "message_id"),
        ({"from": "VODAFONE"}, "from"),
        ({"from": "1"}, "from"),
        ({"from": ["07700900123"]}, "from"),
        ({"text": "   "}, "text"),
        ({"text": "\ud800"}, "text"),
        ({"received_at": "yesterday"}, "received_at"),
        ({"received_at": "2026-03-12T21:04:11"}, "received_at"),
        ({"received_at": "2999-01-01T00:00:00Z"}, "received_at"),
        ({"received_at": "1970-01-01T00:00:00Z"}, "received_at"),
        ({"to": {"a": 1}}, "to"),
    ],
)
def test_each_bad_field_is_named(sms_payload, change, field):
    with pytest.raises(InboundRejected) as caught:
        parsed({**sms_payload, **change})
    assert caught.value.field == field


def test_a_very_long_text_is_shortened_not_refused(sms_payload):
    submission = parsed({**sms_payload, "text": "word " * 5000}).submission
    assert len(submission.narrative) <= 20_000
    assert submission.narrative.endswith("kept with the original delivery.]")
    assert submission.answers["narrative_shortened"] is True
