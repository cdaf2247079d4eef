"""Web chat: a transcript into a contact whose narrative is what the visitor said."""

import json
from datetime import UTC, datetime

import pytest

from cairn.contacts.channels.base import InboundRejected
from cairn.contacts.channels.web_chat.inbound import parse
from cairn.contacts.models import Contact
from tests.contacts.channels.conftest import post

TRANSCRIPT = {
    "chat_id": "c-8842",
    "started_at": "2026-03-12T18:01:00Z",
    "visitor": {"name": "Sam Green", "email": "sam@example.org"},
    "messages": [
        {"from": "visitor", "at": "2026-03-12T18:01:10Z", "text": "Hello, my van was broken into"},
        {"from": "agent", "at": "2026-03-12T18:01:40Z", "text": "Sorry to hear that. Where?"},
        {"from": "visitor", "at": "2026-03-12T18:02:05Z", "text": "Gorgie Road, overnight"},
    ],
}


def parsed(payload: dict):
    return parse(json.dumps(payload).encode(), "application/json")


def test_the_narrative_is_the_visitors_lines_in_order_with_london_times():
    result = parsed(TRANSCRIPT)
    assert result.submission.narrative == (
        "[18:01] Hello, my van was broken into\n[18:02] Gorgie Road, overnight"
    )
    assert result.provider_message_id == "c-8842"
    assert result.reply_to == "c-8842"
    assert result.submission.reporter_name == "Sam Green"
    assert result.submission.reporter_email == "sam@example.org"
    assert result.submission.received_at == datetime(2026, 3, 12, 18, 1, tzinfo=UTC)


def test_times_are_shown_in_british_summer_time_when_it_applies():
    summer = json.loads(json.dumps(TRANSCRIPT).replace("2026-03-12", "2026-07-01"))
    assert parsed(summer).submission.narrative.startswith("[19:01] Hello")


def test_the_whole_conversation_is_kept_in_order():
    shuffled = {**TRANSCRIPT, "messages": list(reversed(TRANSCRIPT["messages"]))}
    transcript = parsed(shuffled).submission.answers["transcript"]
    assert [line["from"] for line in transcript] == ["visitor", "agent", "visitor"]
    assert transcript[1] == {
        "from": "agent",
        "at": "2026-03-12T18:01:40+00:00",
        "text": "Sorry to hear that. Where?",
    }


def test_an_anonymous_visitor_is_fine():
    result = parsed({**TRANSCRIPT, "visitor": {}})
    assert result.submission.reporter_name == ""
    assert result.submission.preferred_contact == ""
    assert parsed({k: v for k, v in TRANSCRIPT.items() if k != "visitor"}).submission.narrative


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"chat_id": None}, "chat_id"),
        ({"visitor": "Sam"}, "visitor"),
        ({"visitor": {"email": "sam at example"}}, "visitor.email"),
        ({"visitor": {"name": "x" * 201}}, "visitor.name"),
        ({"messages": []}, "messages"),
        ({"messages": "hello"}, "messages"),
        ({"messages": [1]}, "messages.0"),
        (
            {"messages": [{"from": "bot", "at": "2026-03-12T18:01:10Z", "text": "x"}]},
            "messages.0.from",
        ),
        ({"messages": [{"from": "visitor", "text": "x"}]}, "messages.0.at"),
        ({"messages": [{"from": "agent", "at": "2026-03-12T18:01:10Z", "text": "Hi"}]}, "messages"),
    ],
)
def test_each_bad_field_is_named(change, field):
    with pytest.raises(InboundRejected) as caught:
        parsed({**TRANSCRIPT, **change})
    assert caught.value.field == field


def test_a_transcript_through_the_webhook_becomes_one_contact(client, db):
    assert post(client, "web_chat", TRANSCRIPT).status_code == 201
    assert post(client, "web_chat", TRANSCRIPT).status_code == 200
    contact = Contact.objects.get()
    assert contact.channel == "web_chat"
    assert contact.preferred_contact == "email"
