"""A direct message to the force's social media accounts, relayed by the gateway.

::

    {"platform": "x", "message_id": "1893…", "sender_handle": "@someone",
     "text": "Just seen a car driven into the canal at Fountainbridge",
     "sent_at": "2026-03-12T22:10:05Z"}

Message ids are unique per platform only, so the provider message id is
``"<platform>:<message_id>"``. The handle is kept in ``reporter_details``
(it is how to reach the person on that platform, not their name).
"""

from cairn.contacts.channels.base import ParsedInbound
from cairn.contacts.channels.payload import fit_narrative, moment, read_json_object, slug, string
from cairn.contacts.models import Channel
from cairn.contacts.services import ContactSubmission


def parse(raw: bytes, content_type: str) -> ParsedInbound:
    data = read_json_object(raw, content_type)
    platform = slug(data, "platform")
    message_id = string(data, "message_id", max_length=200 - len(platform) - 1, number_as_text=True)
    handle = string(data, "sender_handle", max_length=200)
    text = string(data, "text", max_length=100_000)
    sent_at = moment(data, "sent_at")
    narrative, shortened = fit_narrative(text)
    return ParsedInbound(
        provider_message_id=f"{platform}:{message_id}",
        submission=ContactSubmission(
            channel=Channel.SOCIAL,
            narrative=narrative,
            reporter_details={"social_platform": platform, "social_handle": handle},
            preferred_contact=Channel.SOCIAL,
            answers={"narrative_shortened": True} if shortened else {},
            received_at=sent_at,
        ),
        reply_to=f"{platform}:{handle}",
    )
