"""Outbound senders, one module per channel (the pair of contacts/channels/ inbound).

To add a channel: a module here with a class whose ``send(message)`` returns a
``DeliveryResult`` (see ``base.py``), an entry in ``SENDERS``, a value in
``cairn.notify.models.MessageChannel`` (a migration), and tests in
``tests/notify/``. docs/notify.md has the details.
"""

from cairn.notify.channels.base import Sender
from cairn.notify.channels.email import EmailSender
from cairn.notify.channels.sms import SmsSender

SENDERS: dict[str, Sender] = {"email": EmailSender(), "sms": SmsSender()}


def sender_for(channel: str) -> Sender:
    return SENDERS[channel]
