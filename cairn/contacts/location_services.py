"""Place a contact: its division from its postcode or coordinates (cairn.places).

Intake stores what the person gave and stays one statement; this runs
after it, from the cue pass that prepares contacts for the queue, and only
fills what is empty (a division, or a postcode for a contact that gave only
coordinates, like a device alert). It never overwrites what was given.

Its event, ``contact.located``, also says whether another contact came from the
same place in the 30 days before this one (``repeat_location``: the same
postcode or within 100 m; one indexed count, ``location_queries``), for the
repeat contact measure.
"""

from datetime import timedelta

from django.db import transaction

from cairn.contacts.location_queries import repeat_location_count
from cairn.contacts.models import Contact
from cairn.events.services import record_event
from cairn.places.queries import locate

REPEAT_LOCATION_DAYS = 30
REPEAT_LOCATION_METRES = 100


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
        data={"how": place.how, "repeat_location": _repeat_location(contact)},
    )
    return contact


def _repeat_location(contact: Contact) -> bool:
    """Whether another contact was received from the same place in the 30 days before it."""
    return (
        repeat_location_count(
            postcode=contact.postcode,
            latitude=contact.latitude,
            longitude=contact.longitude,
            since=contact.received_at - timedelta(days=REPEAT_LOCATION_DAYS),
            until=contact.received_at,
            radius_m=REPEAT_LOCATION_METRES,
            exclude_contact_id=contact.pk,
        )
        > 0
    )
