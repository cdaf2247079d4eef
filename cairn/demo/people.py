"""Demo people: a repeat caller with history and a marker, a person with a restricted
marker, and two records of one woman waiting to be merged.

Loaded before the demo contacts, so that matching links Ali Khan's new call to
him, offers Kirsty Lennox as a possible match for the anonymous-looking text
message from her number, and the two Fraser records can be merged and unmerged.
Safe to run again: it adds nothing once the people exist.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cairn.audit.context import acting_as
from cairn.contacts.models import Contact, Status
from cairn.contacts.services import ContactSubmission, receive_contact
from cairn.people.markers import add_marker
from cairn.people.models import Identifier
from cairn.people.services import match_contact, record_person
from cairn.triage.services import change_contact_status

SOURCE = "demo"

# Ali Khan's earlier calls about the youths on Union Street (days ago).
EARLIER_CALLS = [
    (19, "Youths kicking the door of the close and shouting at 11pm."),
    (6, "Same group again, stones thrown at my window this time."),
]


def _earlier_contact(days_ago: int, narrative: str, number: int) -> None:
    receipt = receive_contact(
        ContactSubmission(
            channel="phone_101",
            category="asb",
            narrative=narrative,
            reporter_name="Ali Khan",
            reporter_phone="07700 900789",
            postcode="AB11 6BA",
            received_at=timezone.now() - timedelta(days=days_ago),
            source=SOURCE,
            idempotency_key=f"demo-history-{number}",
        )
    )
    match_contact(receipt.contact_id)
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=receipt.contact_id)
        change_contact_status(contact, Status.CLOSED, because="demo history")


def load_demo_people(actor) -> int:
    """Create the demo people once; returns how many were created."""
    if Identifier.objects.filter(value="+447700900789").exists():
        return 0
    with acting_as("command", user=actor):
        ali = record_person(
            given_name="Ali",
            family_name="Khan",
            date_of_birth="1968-09-02",
            phones=("07700 900789",),
            address="41 Union Street, Aberdeen",
            postcode="AB11 6BA",
            actor=actor,
        )
        add_marker(ali, kind="repeat_victim", source="Three ASB reports in a month", actor=actor)
        for number, (days_ago, narrative) in enumerate(EARLIER_CALLS, start=1):
            _earlier_contact(days_ago, narrative, number)

        kirsty = record_person(
            given_name="Kirsty",
            family_name="Lennox",
            date_of_birth="1991-02-17",
            phones=("07700 900456",),
            actor=actor,
        )
        add_marker(
            kirsty,
            kind="domestic_abuse_victim",
            source="MARAC referral",
            note="Former partner subject of a non-harassment order.",
            actor=actor,
        )

        record_person(
            given_name="Morag",
            family_name="Fraser",
            emails=("morag.fraser@example.org",),
            postcode="IV2 3EX",
            actor=actor,
        )
        record_person(
            given_name="Morag",
            family_name="Frazer",
            date_of_birth="1957-03-30",
            phones=("01463 960123",),
            address="14 Crown Drive, Inverness",
            postcode="IV2 3EX",
            actor=actor,
        )
    return 4
