"""Writes for contacts: every channel's intake ends in ``receive_contact``."""

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.contacts.models import Channel, Contact, Reason
from cairn.contacts.tracking import hash_secret, new_tracking_secret
from cairn.events.services import record_event

POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
MAX_NARRATIVE = 20_000
IDENTITY_FIELDS = ("reporter_name", "reporter_email", "reporter_phone")


@dataclass(frozen=True)
class ContactSubmission:
    """What any channel hands to intake. Validated by ``receive_contact``, not by callers."""

    channel: str
    narrative: str = ""
    language: str = "en"
    reason: str = Reason.NEW_MATTER
    category: str = ""
    anonymous: bool = False
    reporter_name: str = ""
    reporter_email: str = ""
    reporter_phone: str = ""
    reporter_details: dict[str, Any] = field(default_factory=dict)
    preferred_contact: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    address_text: str = ""
    postcode: str = ""
    latitude: float | None = None
    longitude: float | None = None
    location_accuracy_m: float | None = None
    related_reference: str = ""
    received_at: datetime | None = None
    source: str = ""
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Receipt:
    contact: Contact
    created: bool
    tracking_secret: str | None = None  # given once, when the contact is created


def normalise_postcode(value: str) -> str:
    """'eh1 1yz' -> 'EH1 1YZ'; raises ValidationError when it is not a UK postcode."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if not compact:
        return ""
    match = POSTCODE.match(compact)
    if not match:
        raise ValidationError({"postcode": "Enter a real postcode, like EH1 1YZ"})
    return f"{match.group(1)} {match.group(2)}"


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_contains_nul(item) for item in value)
    return False


def validate_submission(submission: ContactSubmission) -> dict[str, str]:
    """Every rule intake enforces, whatever the channel. Returns field -> message."""
    errors: dict[str, str] = {}
    if submission.channel not in Channel.values:
        errors["channel"] = "Unknown channel"
    if submission.reason not in Reason.values:
        errors["reason"] = "Unknown reason"
    if submission.language not in dict(settings.LANGUAGES):
        errors["language"] = "Unsupported language"
    if not submission.narrative.strip() and not submission.answers:
        errors["narrative"] = "Say what happened"
    if len(submission.narrative) > MAX_NARRATIVE:
        errors["narrative"] = f"Keep it under {MAX_NARRATIVE} characters"
    if submission.anonymous and any(getattr(submission, name) for name in IDENTITY_FIELDS):
        errors["anonymous"] = "An anonymous report cannot carry a name or contact details"
    if (submission.latitude is None) != (submission.longitude is None):
        errors["latitude"] = "Give both latitude and longitude, or neither"
    if submission.latitude is not None and not -90 <= submission.latitude <= 90:
        errors["latitude"] = "Latitude must be between -90 and 90"
    if submission.longitude is not None and not -180 <= submission.longitude <= 180:
        errors["longitude"] = "Longitude must be between -180 and 180"
    if submission.location_accuracy_m is not None and submission.location_accuracy_m < 0:
        errors["location_accuracy_m"] = "Accuracy cannot be negative"
    if any(_contains_nul(value) for value in submission.__dict__.values()):
        errors["body"] = "Text cannot contain NUL characters"
    try:
        normalise_postcode(submission.postcode)
    except ValidationError:
        errors["postcode"] = "Enter a real postcode, like EH1 1YZ"
    return errors


def _received_at(submission: ContactSubmission) -> datetime:
    moment = submission.received_at or timezone.now()
    if submission.anonymous:
        # No precise time on the anonymous path: the hour is enough to work with.
        moment = moment.replace(minute=0, second=0, microsecond=0)
    return moment


def _existing(submission: ContactSubmission) -> Contact | None:
    if not submission.idempotency_key:
        return None
    return Contact.objects.filter(
        channel=submission.channel,
        source=submission.source,
        idempotency_key=submission.idempotency_key,
    ).first()


def receive_contact(submission: ContactSubmission) -> Receipt:
    """Save a contact exactly once, with its audit and domain events.

    With an idempotency key, a retry (even a concurrent one) returns the first
    contact and ``created=False``. Raises ValidationError for invalid input,
    having written nothing.
    """
    errors = validate_submission(submission)
    if errors:
        raise ValidationError(errors)
    existing = _existing(submission)
    if existing:
        return Receipt(existing, created=False)
    try:
        with transaction.atomic():
            return _create(submission)
    except IntegrityError:
        existing = _existing(submission)
        if existing is None:
            raise
        return Receipt(existing, created=False)


def _create(submission: ContactSubmission) -> Receipt:
    secret = new_tracking_secret()
    related = None
    if submission.related_reference:
        related = Contact.objects.filter(reference=submission.related_reference.strip()).first()
    contact = Contact.objects.create(
        channel=submission.channel,
        received_at=_received_at(submission),
        language=submission.language,
        reason=Reason.UPDATE
        if related and submission.reason == Reason.NEW_MATTER
        else submission.reason,
        category=submission.category,
        anonymous=submission.anonymous,
        reporter_name=submission.reporter_name.strip(),
        reporter_email=submission.reporter_email.strip(),
        reporter_phone=submission.reporter_phone.strip(),
        reporter_details=submission.reporter_details,
        preferred_contact=submission.preferred_contact,
        answers=submission.answers,
        narrative=submission.narrative.strip(),
        address_text=submission.address_text.strip(),
        postcode=normalise_postcode(submission.postcode),
        latitude=submission.latitude,
        longitude=submission.longitude,
        location_accuracy_m=submission.location_accuracy_m,
        related_to=related,
        idempotency_key=submission.idempotency_key or None,
        tracking_secret_hash=hash_secret(secret),
        source=submission.source,
    )
    record(
        Operation.COLLECTION,
        object_type="contact",
        object_id=contact.pk,
        fields=[
            name
            for name, value in submission.__dict__.items()
            if value not in ("", None, {}, False) and name != "idempotency_key"
        ],
    )
    record_event(
        "contact.received",
        subject_type="contact",
        subject_id=contact.pk,
        occurred_at=contact.received_at,
        division=contact.division_id or "",
        channel=contact.channel,
        data={
            "reason": contact.reason,
            "category": contact.category,
            "anonymous": contact.anonymous,
            "language": contact.language,
            "follow_up_of": related.pk if related else None,
        },
    )
    return Receipt(contact, created=True, tracking_secret=secret)
