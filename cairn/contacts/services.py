"""Writes for contacts: every channel's intake ends in ``receive_contact``."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError
from django.utils import timezone

from cairn.audit.models import Operation
from cairn.audit.services import audit_row
from cairn.contacts.intake_statement import insert_together
from cairn.contacts.models import Channel, Contact, Reason, Status
from cairn.contacts.tracking import (
    hash_secret,
    new_tracking_secret,
    secret_matches,
    tracking_secret_for_key,
)
from cairn.events.services import event_row
from cairn.places.postcodes import normalise_postcode as places_postcode

MAX_NARRATIVE = 20_000
IDENTITY_FIELDS = ("reporter_name", "reporter_email", "reporter_phone")
# Made once: Channel.values builds a new list on every call.
CHANNELS = frozenset(Channel.values)
REASONS = frozenset(Reason.values)


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


class Receipt:
    """What intake answers: the contact's reference and, when it was new, its tracking secret.

    ``contact`` (the saved model) is made only when asked for: most callers
    need the reference alone, and intake is the busiest write there is.
    """

    def __init__(
        self,
        *,
        created: bool,
        contact_id: int,
        reference: str,
        received_at: datetime,
        status: str,
        tracking_secret: str | None = None,
        same_submission: bool = True,
        contact: Contact | None = None,
        row: dict[str, Any] | None = None,
    ):
        self.created = created
        self.same_submission = same_submission
        self.tracking_secret = tracking_secret
        self.contact_id = contact_id
        self.reference = reference
        self.received_at = received_at
        self.status = status
        self._contact = contact
        self._row = row

    @classmethod
    def for_existing(
        cls, contact: Contact, *, same_submission: bool = True, tracking_secret: str | None = None
    ) -> "Receipt":
        """The answer to a submission that had already been received as ``contact``."""
        return cls(
            created=False,
            same_submission=same_submission,
            tracking_secret=tracking_secret,
            contact_id=contact.pk,
            reference=contact.reference,
            received_at=contact.received_at,
            status=Status.RECEIVED,  # as the first answer said, whatever has happened since
            contact=contact,
        )

    @property
    def contact(self) -> Contact:
        if self._contact is None:
            contact = Contact(id=self.contact_id, reference=self.reference, **(self._row or {}))
            contact._state.adding = False
            contact._state.db = DEFAULT_DB_ALIAS
            self._contact = contact
        return self._contact


def normalise_postcode(value: str) -> str:
    """'eh1 1yz' -> 'EH1 1YZ'; raises ValidationError when it is not a UK postcode."""
    try:
        return places_postcode(value)
    except ValueError:
        raise ValidationError({"postcode": "Enter a real postcode, like EH1 1YZ"}) from None


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
    if submission.channel not in CHANNELS:
        errors["channel"] = "Unknown channel"
    if submission.reason not in REASONS:
        errors["reason"] = "Unknown reason"
    if not any(submission.language == code for code, _name in settings.LANGUAGES):
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
    return Contact.objects.filter(
        channel=submission.channel,
        source=submission.source,
        idempotency_key=submission.idempotency_key,
    ).first()


def submission_digest(submission: ContactSubmission) -> str:
    """SHA-256 of everything submitted except the key: a retry must send the same."""
    fields = {
        name: value for name, value in submission.__dict__.items() if name != "idempotency_key"
    }
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def receive_contact(submission: ContactSubmission) -> Receipt:
    """Save a contact exactly once, with its audit and domain events.

    With an idempotency key, a retry (even a concurrent one) returns the first
    contact and ``created=False``; ``same_submission`` says whether it sent
    the same as the first, and only then is the first tracking secret given
    again. Raises ValidationError for invalid input, having written nothing.

    The contact, its audit event and its domain event are written by one SQL
    statement (:mod:`cairn.contacts.intake_statement`). PostgreSQL runs a
    statement as one transaction, so the three rows are written all together
    or not at all, whether or not the caller has a transaction open (inside
    one, they are part of it). That replaces a SELECT for the key, a
    savepoint, three INSERTs and a release: one round trip instead of five or
    six, and outside a transaction no BEGIN and COMMIT either. A retry with a
    used key takes a reference number it does not use, as a rolled-back
    contact always has: references have gaps.
    """
    errors = validate_submission(submission)
    if errors:
        raise ValidationError(errors)
    contact, audit, event, secret = contact_rows(submission)
    written = insert_together(contact, audit, event)
    if written is not None:
        return Receipt(
            created=True,
            tracking_secret=secret,
            contact_id=written[0],
            reference=written[1],
            received_at=contact["received_at"],
            status=contact["status"],
            row=contact,
        )
    # The key was used before (or just now: the INSERT waited for that
    # transaction to commit). Nothing was written; return the first contact.
    existing = _existing(submission)
    if existing is None:  # deleted between our INSERT and this read: no answer to give
        raise IntegrityError("the contact with this idempotency key has just gone; try again")
    same = (
        not existing.submission_digest or existing.submission_digest == contact["submission_digest"]
    )
    return Receipt.for_existing(
        existing, same_submission=same, tracking_secret=_first_secret(existing) if same else None
    )


def _first_secret(contact: Contact) -> str | None:
    """The tracking secret the first answer gave, made again from the key, if it still fits."""
    secret = tracking_secret_for_key(contact.channel, contact.source, contact.idempotency_key or "")
    return secret if secret_matches(secret, contact.tracking_secret_hash) else None


def contact_rows(submission: ContactSubmission) -> tuple[dict, dict, dict, str]:
    """The contact and its two events as field values, and the contact's tracking secret."""
    key = submission.idempotency_key or None
    if key:
        secret = tracking_secret_for_key(submission.channel, submission.source, key)
    else:
        secret = new_tracking_secret()
    related = None
    if submission.related_reference:
        related = (
            Contact.objects.filter(reference=submission.related_reference.strip())
            .values_list("pk", flat=True)
            .first()
        )
    reason = (
        Reason.UPDATE if related and submission.reason == Reason.NEW_MATTER else submission.reason
    )
    received_at = _received_at(submission)
    contact = {
        "channel": submission.channel,
        "received_at": received_at,
        "language": submission.language,
        "reason": reason,
        "category": submission.category,
        "status": Status.RECEIVED,
        "anonymous": submission.anonymous,
        "reporter_name": submission.reporter_name.strip(),
        "reporter_email": submission.reporter_email.strip(),
        "reporter_phone": submission.reporter_phone.strip(),
        "reporter_details": submission.reporter_details,
        "preferred_contact": submission.preferred_contact,
        "answers": submission.answers,
        "narrative": submission.narrative.strip(),
        "address_text": submission.address_text.strip(),
        "postcode": normalise_postcode(submission.postcode),
        "latitude": submission.latitude,
        "longitude": submission.longitude,
        "location_accuracy_m": submission.location_accuracy_m,
        "related_to_id": related,
        "idempotency_key": key,
        "submission_digest": submission_digest(submission) if key else "",
        "tracking_secret_hash": hash_secret(secret),
        "source": submission.source,
    }
    # object_id and subject_id are the new contact's id: the statement fills them in.
    audit = audit_row(
        Operation.COLLECTION,
        object_type="contact",
        fields=[
            name
            for name, value in submission.__dict__.items()
            if value not in ("", None, {}, False) and name != "idempotency_key"
        ],
    )
    event = event_row(
        "contact.received",
        subject_type="contact",
        subject_id="",
        occurred_at=received_at,
        division="",
        channel=submission.channel,
        data={
            "reason": reason,
            "category": submission.category,
            "anonymous": submission.anonymous,
            "language": submission.language,
            "follow_up_of": related,
        },
    )
    if submission.anonymous:
        # No precise time anywhere on the anonymous path, the rows about the
        # contact included: the hour it was written, as for received_at.
        hour = timezone.now().replace(minute=0, second=0, microsecond=0)
        contact["created_at"] = audit["occurred_at"] = event["recorded_at"] = hour
    return contact, audit, event, secret
