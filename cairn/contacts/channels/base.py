"""What every channel adapter shares: the parsed result, the rejection, the pair.

An adapter is a pair. ``inbound`` turns a provider's raw delivery into a
:class:`ParsedInbound` (or raises :class:`InboundRejected`); ``outbound`` will
send a reply back on the same channel when the notifications work lands. The
inbound half records, in ``reply_to``, the address the outbound half needs, so
the two always agree on how a person is reached on that channel.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from cairn.contacts.services import ContactSubmission


class Rejection(StrEnum):
    """Why a delivery was refused. The view maps each kind to one HTTP status."""

    MALFORMED = "malformed"  # could not be read at all: not JSON, not UTF-8, NUL bytes (400)
    INVALID = "invalid"  # read, but a field is missing or wrong (422)
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"  # not a content type this channel takes (415)


class InboundRejected(Exception):
    """A delivery the adapter will not turn into a contact.

    ``message`` is ours, never the input echoed back: it is stored, logged and
    returned to the provider, so it must not carry personal data.
    """

    def __init__(self, field: str, message: str, kind: Rejection = Rejection.INVALID):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.kind = kind


@dataclass(frozen=True)
class Attachment:
    """A file that came with a message, as listed in the contact's answers."""

    name: str
    content_type: str  # as declared by the sender: never trusted for anything
    detected_type: str  # from the bytes, "" when unknown
    size: int
    sha256: str
    content: bytes = field(default=b"", repr=False, compare=False)  # kept as evidence

    def as_answer(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "content_type": self.content_type,
            "detected_type": self.detected_type,
            "size": self.size,
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class ParsedInbound:
    """One delivery, understood.

    ``provider_message_id`` is unique per channel and source (the adapter
    namespaces it when the provider's id is not, e.g. ``"x:1234"`` for social).
    ``submission`` leaves ``channel``, ``source`` and ``idempotency_key`` to
    :func:`cairn.contacts.channels.receive.receive_inbound`, which sets them.
    ``reply_to`` is the address the channel's outbound sender would answer
    (an email address, an E.164 number, a platform handle), "" when there is
    none (a device alert).
    """

    provider_message_id: str
    submission: ContactSubmission
    attachments: list[Attachment] = field(default_factory=list)
    reply_to: str = ""


# --- outbound: the other half of the pair (interface only; the notify work implements it) ---


@dataclass(frozen=True)
class OutboundMessage:
    """A reply to a person on the channel they used.

    ``recipient`` is exactly the inbound ``reply_to``; ``in_reply_to`` is the
    inbound provider message id, so the reply threads (email ``In-Reply-To``,
    a social platform's reply-to-message id).
    """

    channel: str
    recipient: str
    body: str
    in_reply_to: str = ""
    subject: str = ""


@dataclass(frozen=True)
class DeliveryResult:
    """What a sender reports: accepted by the provider (with its id) or not, and why."""

    accepted: bool
    provider_message_id: str = ""
    error: str = ""
    retryable: bool = False


class OutboundSender(Protocol):
    """Sends one message and says what became of it. Never raises for a provider refusal."""

    def send(self, message: OutboundMessage) -> DeliveryResult: ...


InboundParser = Callable[[bytes, str], ParsedInbound]


@dataclass(frozen=True)
class ChannelAdapter:
    """One channel's pair: how messages come in, and (later) how replies go out.

    ``channel`` is a :class:`cairn.contacts.models.Channel` value and the URL
    segment of its webhook (``/api/inbound/<channel>/``); ``source`` is the
    name stored on the contact for deliveries through that webhook.
    """

    channel: str
    source: str
    inbound: InboundParser
    outbound: OutboundSender | None = None  # the notifications work provides these
