"""Place a contact: its division from its postcode or coordinates (cairn.places).

Intake stores what the person gave and stays one statement; this runs
after it, from the cue pass that prepares contacts for the queue, and only
fills what is empty (a division, or a postcode for a contact that gave only
coordinates, like a device alert). It never overwrites what was given.
"""

from django.db import transaction

from cairn.contacts.models import Contact
from cairn.events.services import record_event
from cairn.places.queries import locate


@transaction.atomic
def locate_contact(contact: Contact) -> Contact:
    """Fill in the contact's division (and postcode from coordinates) when they are empty."""
    if contact.division_id or not (contact.postcode or contact.latitude is not None):
        return contact
    place = locate(contact.postcode, contact.latitude, contact.longitude)
    changes = {}
    if place.division is not None:
        changes["division_id"] = place.division.pk
    if not contact.postcode and place.postcode:
        changes["postcode"] = place.postcode
    if not changes:
        return contact
    Contact.objects.filter(pk=contact.pk, division__isnull=True).update(**changes)
    for name, value in changes.items():
        setattr(contact, name, value)
    record_event(
        "contact.located",
        subject_type="contact",
        subject_id=contact.pk,
        division=changes.get("division_id", ""),
        channel=contact.channel,
        data={"how": place.how},
    )
    return contact
