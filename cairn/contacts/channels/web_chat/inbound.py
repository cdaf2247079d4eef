"""A web chat transcript, delivered by the chat service when a chat ends, into a contact.

::

    {"chat_id": "c-8842", "started_at": "2026-03-12T18:01:00Z",
     "visitor": {"name": "Sam", "email": "sam@example.org"},
     "messages": [{"from": "visitor", "at": "2026-03-12T18:01:10Z", "text": "Hello"},
                  {"from": "agent", "at": "2026-03-12T18:01:40Z", "text": "How can we help?"}]}

The narrative is what the visitor said, in time order, each line with its
London time; the whole conversation (both sides) is kept in
``answers["transcript"]``. The contact's time is when the chat started. A
reply on this channel goes to the chat (``reply_to`` is the chat id); the
visitor's email, when given, is their preferred way to be contacted.
"""

from typing import Any

from cairn.contacts.channels.base import InboundRejected, ParsedInbound
from cairn.contacts.channels.payload import (
    clock,
    email_address,
    fit_narrative,
    moment,
    read_json_object,
    string,
)
from cairn.contacts.models import Channel
from cairn.contacts.services import ContactSubmission

SPEAKERS = ("visitor", "agent")
MAX_MESSAGES = 2_000


def _visitor(data: dict[str, Any]) -> tuple[str, str]:
    visitor = data.get("visitor", {})
    if visitor is None:
        return "", ""
    if not isinstance(visitor, dict):
        raise InboundRejected("visitor", "The visitor must be an object.")
    name = string(visitor, "name", max_length=200, required=False, path="visitor.name")
    email = string(visitor, "email", max_length=254, required=False, path="visitor.email")
    return name, email_address(email, "visitor.email") if email else ""


def _messages(data: dict[str, Any]) -> list[dict[str, Any]]:
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        raise InboundRejected("messages", "The transcript must list at least one message.")
    if len(messages) > MAX_MESSAGES:
        raise InboundRejected("messages", f"A transcript can hold {MAX_MESSAGES} messages at most.")
    lines = []
    for index, item in enumerate(messages):
        path = f"messages.{index}"
        if not isinstance(item, dict):
            raise InboundRejected(path, "Each message must be an object.")
        speaker = string(item, "from", max_length=10, path=f"{path}.from")
        if speaker not in SPEAKERS:
            raise InboundRejected(f"{path}.from", "A message is from 'visitor' or 'agent'.")
        at = moment(item, "at", path=f"{path}.at")
        text = string(item, "text", max_length=20_000, required=False, path=f"{path}.text")
        lines.append({"from": speaker, "at": at, "text": text})
    lines.sort(key=lambda line: line["at"])  # stable: equal times keep the given order
    return lines


def parse(raw: bytes, content_type: str) -> ParsedInbound:
    data = read_json_object(raw, content_type)
    chat_id = string(data, "chat_id", max_length=200, number_as_text=True)
    started_at = moment(data, "started_at")
    name, email = _visitor(data)
    lines = _messages(data)
    said = [
        f"[{clock(line['at'])}] {line['text']}"
        for line in lines
        if line["from"] == "visitor" and line["text"]
    ]
    if not said:
        raise InboundRejected("messages", "The visitor said nothing in this chat.")
    narrative, shortened = fit_narrative("\n".join(said))
    answers: dict[str, Any] = {
        "chat_id": chat_id,
        "transcript": [{**line, "at": line["at"].isoformat()} for line in lines],
    }
    if shortened:
        answers["narrative_shortened"] = True
    return ParsedInbound(
        provider_message_id=chat_id,
        submission=ContactSubmission(
            channel=Channel.WEB_CHAT,
            narrative=narrative,
            reporter_name=name,
            reporter_email=email,
            preferred_contact=Channel.EMAIL if email else "",
            answers=answers,
            received_at=started_at,
        ),
        reply_to=chat_id,
    )
