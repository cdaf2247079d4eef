"""A few waiting contacts, so the queue has work in it on a fresh `make run`.

Sent through the real intake with an idempotency key each, so loading the
demo data again adds nothing.
"""

from datetime import timedelta

from django.utils import timezone

from cairn.audit.context import acting_as
from cairn.contacts.services import ContactSubmission, receive_contact

SOURCE = "demo"

# (minutes ago, submission fields)
DEMO_CONTACTS: list[tuple[int, dict]] = [
    (
        95,
        {
            "channel": "web_form",
            "category": "crime.theft",
            "narrative": "My bike was stolen from the racks outside Waverley station between "
            "8am and 6pm. It is a blue Trek hybrid and the lock was cut.",
            "reporter_name": "Jamie Watt",
            "reporter_email": "jamie.watt@example.org",
            "postcode": "EH1 1BB",
            "address_text": "Waverley station, Edinburgh",
        },
    ),
    (
        62,
        {
            "channel": "email",
            "category": "concern_for_person",
            "narrative": "I am worried about my neighbour, an elderly man who lives alone at "
            "number 12. I have not seen him for three days and his curtains are still closed.",
            "reporter_name": "Morag Fraser",
            "reporter_email": "morag.fraser@example.org",
            "postcode": "IV2 3EX",
            "address_text": "12 Crown Drive, Inverness",
        },
    ),
    (
        41,
        {
            "channel": "sms",
            "narrative": "My partner hit me last night and I am scared to go home tonight.",
            "reporter_phone": "07700 900456",
        },
    ),
    (
        23,
        {
            "channel": "phone_101",
            "category": "asb",
            "narrative": "Youths throwing stones at cars on the corner of Union Street for the "
            "last hour, every evening this week.",
            "reporter_name": "Ali Khan",
            "reporter_phone": "07700 900789",
            "postcode": "AB11 6BA",
        },
    ),
    (
        9,
        {
            "channel": "web_form",
            "language": "gd",
            "category": "crime.theft",
            "narrative": "Chaidh am baidhsagal agam a ghoid bhon taigh a-raoir.",
            "reporter_name": "Eilidh NicLeòid",
            "reporter_email": "eilidh@example.org",
            "postcode": "HS1 2BW",
        },
    ),
]


def load_demo_contacts() -> int:
    """Receive the demo contacts not received yet; returns how many were new."""
    now = timezone.now()
    new = 0
    with acting_as("command"):
        for number, (minutes_ago, fields) in enumerate(DEMO_CONTACTS, start=1):
            submission = ContactSubmission(
                **fields,
                received_at=now - timedelta(minutes=minutes_ago),
                source=SOURCE,
                idempotency_key=f"demo-{number}",
            )
            new += receive_contact(submission).created
    return new
