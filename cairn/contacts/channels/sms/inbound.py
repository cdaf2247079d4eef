"""A text message from the SMS provider's webhook into a contact.

The provider posts JSON::

    {"message_id": "SM1f2e…", "from": "07700 900123", "to": "+447800000101",
     "text": "There is a man trying car doors on my street", "received_at": "2026-03-12T21:04:11Z"}

``from`` is normalised to E.164 (numbers without a country code are read as
UK numbers) and becomes ``reporter_phone``; ``received_at`` is when the person
sent it, so it is the contact's time even when the provider delivers late.
"""

import phonenumbers

from cairn.contacts.channels.base import InboundRejected, ParsedInbound
from cairn.contacts.channels.payload import fit_narrative, moment, read_json_object, string
from cairn.contacts.models import Channel
from cairn.contacts.services import ContactSubmission

DEFAULT_REGION = "GB"


def e164(value: str, field: str) -> str:
    """'07700 900123' -> '+447700900123'; InboundRejected when it cannot be a phone number."""
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise InboundRejected(field, "This is not a phone number.") from None
    if not phonenumbers.is_possible_number(number):
        raise InboundRejected(field, "This is not a phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse(raw: bytes, content_type: str) -> ParsedInbound:
    data = read_json_object(raw, content_type)
    message_id = string(data, "message_id", max_length=200, number_as_text=True)
    sender = e164(string(data, "from", max_length=40), "from")
    to = string(data, "to", max_length=40, required=False)
    text = string(data, "text", max_length=100_000)
    received_at = moment(data, "received_at")
    narrative, shortened = fit_narrative(text)
    answers: dict = {"sms_to": to} if to else {}
    if shortened:
        answers["narrative_shortened"] = True
    return ParsedInbound(
        provider_message_id=message_id,
        submission=ContactSubmission(
            channel=Channel.SMS,
            narrative=narrative,
            reporter_phone=sender,
            preferred_contact=Channel.SMS,
            answers=answers,
            received_at=received_at,
        ),
        reply_to=sender,
    )
