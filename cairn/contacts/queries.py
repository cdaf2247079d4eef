"""Reads of contacts."""

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.contacts.models import Contact, Status
from cairn.contacts.tracking import secret_matches

STATUS_WORDS = {
    Status.RECEIVED: (
        _("We have your report"),
        _("A member of our team will read it and decide what happens next."),
    ),
    Status.IN_ASSESSMENT: (
        _("We are looking at your report"),
        _("A member of our team is deciding what happens next."),
    ),
    Status.ASSESSED: (
        _("We have decided what happens next"),
        _("We will contact you if we need more from you. This page will show each update."),
    ),
    Status.CLOSED: (
        _("We have finished dealing with your report"),
        _("If something new happens, make a new report and mention this reference."),
    ),
}


@dataclass(frozen=True)
class PublicStatus:
    """What the person who reported may see: no narrative, no names, no officers."""

    reference: str
    received_on: date
    status: str
    headline: str
    next_step: str
    updates: list = field(default_factory=list)  # public updates: each has .at and .text


def find_contact_for_tracking(reference: str, secret: str) -> Contact | None:
    """The contact only when the reference and its tracking secret match."""
    contact = Contact.objects.filter(reference=reference.strip().upper()).first()
    if contact is None or not secret_matches(secret, contact.tracking_secret_hash):
        return None
    return contact


def public_status(contact: Contact) -> PublicStatus:
    record(
        Operation.CONSULTATION,
        object_type="contact",
        object_id=contact.pk,
        fields=["status"],
        context={"by": "the person who reported it"},
    )
    headline, next_step = STATUS_WORDS[Status(contact.status)]
    return PublicStatus(
        reference=contact.reference,
        received_on=timezone.localtime(contact.received_at).date(),
        status=contact.status,
        headline=str(headline),
        next_step=str(next_step),
    )
