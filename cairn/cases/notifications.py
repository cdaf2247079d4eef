"""Telling the people who reported a case that something happened: who, how, in which language.

Called inside the transaction of the change it reports, so the outbox row
commits with the change or not at all (``notify.services.queue_message``).
A message says only that there is news and links to the tracking page
(``contacts.tracking_links``): what happened is read there, behind the link,
never in an email or a text that someone else may see.

Who: the reporter of each contact gathered into the case, unless the contact
was anonymous or left no email or number. How: the channel the person chose
(their record's preference first, then what they asked for on the contact),
else email, else a text. Language: their record's preferred language, else the
language they contacted us in. Two contacts from one address get one message.
"""

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from cairn.cases.models import Case
from cairn.contacts.models import Contact
from cairn.contacts.tracking_links import tracking_link
from cairn.notify.models import MessageChannel, OutboundMessage
from cairn.notify.services import InvalidRecipient, queue_message
from cairn.people.models import MatterRole, MatterRoleKind, Person, PreferredChannel

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    contact: Contact
    channel: str
    address: str
    language: str


def reporter_of(contact: Contact) -> Person | None:
    """The person record linked as the contact's reporter (a live role), if any."""
    role = (
        MatterRole.objects.filter(
            contact_id=contact.pk, role=MatterRoleKind.REPORTER, ended_at__isnull=True
        )
        .select_related("person")
        .order_by("pk")
        .first()
    )
    return role.person if role else None


def _channels_in_order(preferred: str) -> list[str]:
    if preferred in (PreferredChannel.SMS, PreferredChannel.PHONE, "sms", "phone"):
        return [MessageChannel.SMS, MessageChannel.EMAIL]
    return [MessageChannel.EMAIL, MessageChannel.SMS]


def recipient_for(contact: Contact) -> Recipient | None:
    """How to reach the person who made ``contact``, or None when we cannot or may not."""
    if contact.anonymous:
        return None
    person = reporter_of(contact)
    preferred = (person.preferred_channel if person else "") or contact.preferred_contact
    language = (person.preferred_language if person else "") or contact.language or "en"
    addresses = {
        MessageChannel.EMAIL: contact.reporter_email,
        MessageChannel.SMS: contact.reporter_phone,
    }
    for channel in _channels_in_order(preferred):
        if addresses[channel]:
            return Recipient(
                contact=contact, channel=channel, address=addresses[channel], language=language
            )
    return None


def recipients_for(case: Case) -> list[Recipient]:
    """One recipient per address among the case's contacts, oldest contact first."""
    contacts = Contact.objects.filter(case_link__case=case).order_by("case_link__added_at", "pk")
    found: dict[tuple[str, str], Recipient] = {}
    for contact in contacts:
        recipient = recipient_for(contact)
        if recipient is not None:
            found.setdefault((recipient.channel, recipient.address.strip().lower()), recipient)
    return list(found.values())


def _key(event_key: str, recipient: Recipient) -> str:
    # The key outlives the recipient (erased after 30 days), so it holds a digest, not the address.
    digest = hashlib.sha256(recipient.address.strip().lower().encode()).hexdigest()[:16]
    return f"{event_key}:{recipient.channel}:{digest}"


def tell_the_person(
    case: Case, *, template: str, event_key: str, context: dict[str, Any] | None = None
) -> list[OutboundMessage]:
    """Queue ``template`` to everyone who reported the case, once per ``event_key``.

    ``event_key`` names the change (``"case-update:42"``): calling again for the
    same change sends nothing more. The template gets ``reference`` (the
    person's own contact reference), ``link`` (their tracking page) and
    ``context``. A recipient whose address cannot be sent to is skipped.
    """
    messages = []
    for recipient in recipients_for(case):
        values = {
            "reference": recipient.contact.reference,
            "link": tracking_link(recipient.contact, recipient.language),
            **(context or {}),
        }
        try:
            messages.append(
                queue_message(
                    channel=recipient.channel,
                    to=recipient.address,
                    template=template,
                    language=recipient.language,
                    context=values,
                    idempotency_key=_key(event_key, recipient),
                )
            )
        except InvalidRecipient:
            logger.info("case %s: a recipient cannot be sent %s", case.pk, template)
    return messages
