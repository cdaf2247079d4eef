"""What every sender shares: what it is given, and what it says came of it.

A sender is one channel's outbound half. ``send`` takes anything with a
``recipient``, ``subject`` and ``body`` (an ``OutboundMessage`` row, or
``cairn.contacts.channels.base.OutboundMessage``, whose ``OutboundSender``
protocol these senders also satisfy) and never raises for a provider's
refusal: it says so in a :class:`DeliveryResult`. Errors are our own words
(a status code, an exception's class), never the provider's answer or the
recipient, because they are stored and shown to staff.
"""

from dataclasses import dataclass
from typing import Protocol


class Envelope(Protocol):
    recipient: str
    subject: str
    body: str


@dataclass(frozen=True)
class DeliveryResult:
    """Accepted by the provider (with its id), or not, and whether trying again may help."""

    accepted: bool
    provider_message_id: str = ""
    error: str = ""
    retryable: bool = False


class Sender(Protocol):
    def send(self, message: Envelope) -> DeliveryResult: ...
