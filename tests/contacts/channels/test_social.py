"""Social media direct messages into contacts."""

import json

import pytest

from cairn.contacts.channels.base import InboundRejected
from cairn.contacts.channels.social.inbound import parse
from cairn.contacts.models import Contact
from tests.contacts.channels.conftest import post, recent


@pytest.fixture
def message():
    return {
        "platform": "x",
        "message_id": "1893000000000000001",
        "sender_handle": "@someone",
        "text": "Just seen a car driven into the canal at Fountainbridge",
        "sent_at": recent(),
    }


def parsed(payload: dict):
    return parse(json.dumps(payload).encode(), "application/json")


def test_a_direct_message_is_keyed_by_platform_and_id(message):
    result = parsed(message)
    assert result.provider_message_id == "x:1893000000000000001"
    assert result.reply_to == "x:@someone"
    assert result.submission.reporter_details == {
        "social_platform": "x",
        "social_handle": "@someone",
    }
    assert result.submission.narrative == message["text"]


def test_the_same_id_on_two_platforms_is_two_contacts(client, db, message):
    assert post(client, "social", message).status_code == 201
    assert post(client, "social", {**message, "platform": "facebook"}).status_code == 201
    assert post(client, "social", message).status_code == 200
    assert Contact.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"platform": "X Twitter"}, "platform"),
        ({"platform": 7}, "platform"),
        ({"message_id": "x" * 199}, "message_id"),
        ({"sender_handle": ""}, "sender_handle"),
        ({"text": None}, "text"),
        ({"sent_at": 1773353051}, "sent_at"),
    ],
)
def test_each_bad_field_is_named(message, change, field):
    with pytest.raises(InboundRejected) as caught:
        parsed({**message, **change})
    assert caught.value.field == field
