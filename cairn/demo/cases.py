"""A few open cases, so the Resolution Team workbench has work in it on a fresh `make run`.

Each starts as a real contact that goes through the real triage (claim,
THRIVE, a Resolution Team decision), which opens its case; the case is
routed to the Resolution Team, and some are worked further: one taken by the
Resolution Team officer with a call recorded and a message from the person
waiting, one handed on to the local officer. Safe to run again: a contact
that already has its case is left alone.
"""

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from cairn.accounts.models import StaffUser
from cairn.accounts.roles import Role
from cairn.audit.context import acting_as
from cairn.cases.queries import case_for_contact
from cairn.cases.services import record_message_from_person
from cairn.contacts.location_services import locate_contact
from cairn.contacts.models import Contact
from cairn.contacts.services import ContactSubmission, receive_contact
from cairn.resolution.services import (
    hand_on,
    record_resolution_contact,
    route_to_resolution_team,
    take_case,
)
from cairn.triage import decisions, services
from cairn.triage.models import THRIVE_DIMENSIONS

SOURCE = "demo"

# (key, minutes ago, submission fields, what happens after routing)
DEMO_CASES: list[tuple[str, int, dict[str, Any], str]] = [
    (
        "demo-case-1",
        190,
        {
            "channel": "web_form",
            "category": "crime.theft",
            "narrative": "My bike was taken from the back green of our stair on Easter Road "
            "overnight. It is a red Raleigh and it was locked to the railing.",
            "reporter_name": "Hamish Ross",
            "reporter_email": "hamish.ross@example.org",
            "reporter_phone": "07700 900321",
            "postcode": "EH7 5QL",
            "address_text": "Easter Road, Edinburgh",
        },
        "new",
    ),
    (
        "demo-case-2",
        1500,
        {
            "channel": "phone_101",
            "category": "crime.theft",
            "narrative": "Someone broke into my garden shed and took two power tools. The "
            "padlock was cut. I have a neighbour's doorbell video.",
            "reporter_name": "Isla Grant",
            "reporter_phone": "07700 900654",
            "reporter_email": "isla.grant@example.org",
            "postcode": "EH10 5HJ",
            "address_text": "Morningside, Edinburgh",
        },
        "taken_and_waiting",
    ),
    (
        "demo-case-3",
        400,
        {
            "channel": "email",
            "category": "crime.criminal_damage",
            "narrative": "The bus shelter outside the school on Ferry Road has been smashed "
            "again and there is glass all over the pavement.",
            "reporter_name": "Niamh Doyle",
            "reporter_email": "niamh.doyle@example.org",
            "postcode": "EH5 2DX",
            "address_text": "Ferry Road, Edinburgh",
        },
        "handed_on",
    ),
]

THRIVE_NOTES = {
    "threat": "No ongoing threat.",
    "harm": "Loss of property; no one hurt.",
    "risk": "Low risk of further harm.",
    "investigation": "Some lines of enquiry; can be resolved by phone.",
    "vulnerability": "No vulnerability identified.",
    "engagement": "Happy to be called back.",
}


def _thrive() -> dict[str, str]:
    values = {}
    for dimension in THRIVE_DIMENSIONS:
        values[dimension] = "low"
        values[f"{dimension}_note"] = THRIVE_NOTES[dimension]
    return values


def _first(role: Role) -> StaffUser | None:
    return StaffUser.objects.filter(role=role, is_active=True).order_by("pk").first()


def _decided_to_the_resolution_team(contact: Contact, actor: Any) -> None:
    services.claim_contact(contact, actor)
    services.assess_contact(contact, actor, _thrive(), "Property crime, no one at risk.")
    decisions.decide(
        contact,
        actor,
        "other_resolution",
        "resolution_team",
        "Can be resolved by telephone with the crime recorded directly.",
    )


def load_demo_cases(actor: Any) -> int:
    """Make the demo cases not made yet; returns how many were made.

    ``actor`` is the member of staff who triages them (the demo advisor); the
    Resolution Team and local officers are the first active ones of their roles.
    """
    resolver = _first(Role.RESOLUTION_OFFICER)
    local_officer = _first(Role.LOCAL_OFFICER)
    now = timezone.now()
    made = 0
    with acting_as("command", user=actor):
        # The oldest contact first, so the cases open in the order the people reported.
        for key, minutes_ago, fields, then in sorted(DEMO_CASES, key=lambda item: -item[1]):
            receipt = receive_contact(
                ContactSubmission(
                    **fields,
                    received_at=now - timedelta(minutes=minutes_ago),
                    source=SOURCE,
                    idempotency_key=key,
                )
            )
            contact = Contact.objects.get(pk=receipt.contact_id)
            if case_for_contact(contact) is not None:
                continue
            with transaction.atomic():
                contact = locate_contact(contact)
                _decided_to_the_resolution_team(contact, actor)
                case = route_to_resolution_team(case_for_contact(contact), actor=actor)
                if then == "taken_and_waiting" and resolver is not None:
                    take_case(case, actor=resolver)
                    record_resolution_contact(
                        case,
                        method="phone",
                        reached=False,
                        outcome="No answer; left a voicemail asking them to send the video.",
                        actor=resolver,
                    )
                    record_message_from_person(
                        contact,
                        text="Sorry I missed your call. I have the doorbell video: "
                        "how do I send it to you?",
                    )
                elif then == "handed_on" and resolver is not None and local_officer is not None:
                    take_case(case, actor=resolver)
                    hand_on(
                        case,
                        officer=local_officer,
                        rationale="The school wants an officer to visit about repeated damage.",
                        actor=resolver,
                    )
            made += 1
    return made
