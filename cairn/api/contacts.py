"""POST /api/v1/contacts: a contact from an integrator (a force system, an app)."""

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from ninja import Field, Router, Schema, Status
from pydantic import model_validator

from cairn.api.auth import ApiKey
from cairn.api.errors import ERROR_RESPONSES, ApiProblem, ErrorResponse
from cairn.api.idempotency import fingerprint, idempotency_key, remember, stored_answer
from cairn.contacts.models import Channel, Reason
from cairn.contacts.services import ContactSubmission, Receipt, receive_contact

router = Router(tags=["contacts"], auth=ApiKey())

# Intake's field names -> where they sit in this API's request body.
FIELD_PATHS = {
    "reporter_name": "reporter.name",
    "reporter_email": "reporter.email",
    "reporter_phone": "reporter.phone",
    "address_text": "location.address",
    "postcode": "location.postcode",
    "latitude": "location.latitude",
    "longitude": "location.longitude",
    "location_accuracy_m": "location.accuracy_m",
}


def _reject_nul(value: Any) -> None:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("text cannot contain NUL characters")
    if isinstance(value, dict):
        for key, item in value.items():
            _reject_nul(key)
            _reject_nul(item)
    if isinstance(value, list):
        for item in value:
            _reject_nul(item)


class NoNul(Schema):
    @model_validator(mode="before")
    @classmethod
    def no_nul(cls, data: Any) -> Any:
        _reject_nul(data)
        return data


class ReporterIn(NoNul):
    name: str = Field("", max_length=200)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)


class LocationIn(NoNul):
    address: str = Field("", max_length=400)
    postcode: str = Field("", max_length=10)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    accuracy_m: float | None = Field(None, ge=0)


class ContactIn(NoNul):
    channel: Literal[tuple(Channel.values)] = Channel.PARTNER_APP  # type: ignore[valid-type]
    narrative: str = Field(
        "", max_length=20_000, description="What happened, in the person's words"
    )
    language: str = Field("en", max_length=8)
    reason: Literal[tuple(Reason.values)] = Reason.NEW_MATTER  # type: ignore[valid-type]
    category: str = Field("", max_length=60)
    anonymous: bool = False
    reporter: ReporterIn = Field(default_factory=ReporterIn)
    location: LocationIn = Field(default_factory=LocationIn)
    answers: dict[str, Any] = Field(default_factory=dict)
    related_reference: str = Field("", max_length=24)
    received_at: datetime | None = None


class ContactCreated(Schema):
    reference: str
    status: str
    received_at: datetime
    tracking_secret: str | None = Field(
        None, description="Give this to the person: with the reference it shows the status."
    )


@router.post(
    "",
    response={201: ContactCreated, **ERROR_RESPONSES, 409: ErrorResponse},
    summary="Submit a contact from the public",
    description="Send `Idempotency-Key` to make retries safe: a replay returns the first "
    "response; the same key with a different body is refused with 422.",
)
def create_contact(request, payload: ContactIn):
    client = request.auth
    key = idempotency_key(request)
    submission = _submission(payload, client, key)
    if key is None:
        # Nothing to remember, so no transaction of our own: receive_contact
        # writes in one statement, which is a transaction by itself. Saves BEGIN
        # and COMMIT, two round trips to the database.
        return Status(201, _created(_receive(submission)))
    digest = fingerprint(payload.model_dump(mode="json"))
    with transaction.atomic():
        receipt = _receive(submission)  # exactly once: the key is in the contact's unique index
        if not receipt.created:
            stored = stored_answer(client, key, digest)  # a 422 if the body differs
            if stored is not None:
                return Status(stored.status_code, stored.body)
        body = _created(receipt)
        earlier = remember(client, key, digest, 201, ContactCreated(**body).model_dump(mode="json"))
        if earlier is not None:
            # The key already has an answer for this same body although the
            # contact was new (the first contact has since been erased): the
            # first answer stands, and this contact is undone.
            transaction.set_rollback(True)
            return Status(earlier.status_code, earlier.body)
    return Status(201, body)


def _submission(payload: ContactIn, client, key: str | None) -> ContactSubmission:
    return ContactSubmission(
        channel=payload.channel,
        narrative=payload.narrative,
        language=payload.language,
        reason=payload.reason,
        category=payload.category,
        anonymous=payload.anonymous,
        reporter_name=payload.reporter.name,
        reporter_email=payload.reporter.email,
        reporter_phone=payload.reporter.phone,
        address_text=payload.location.address,
        postcode=payload.location.postcode,
        latitude=payload.location.latitude,
        longitude=payload.location.longitude,
        location_accuracy_m=payload.location.accuracy_m,
        answers=payload.answers,
        related_reference=payload.related_reference,
        received_at=payload.received_at,
        source=f"api:{client.pk}",
        idempotency_key=key,
    )


def _receive(submission: ContactSubmission) -> Receipt:
    """Save the contact. Invalid input: a structured 422."""
    try:
        receipt = receive_contact(submission)
    except DjangoValidationError as error:
        raise ApiProblem(
            422,
            "validation_error",
            "The contact is not valid.",
            [
                {"field": FIELD_PATHS.get(name, name), "message": " ".join(messages)}
                for name, messages in error.message_dict.items()
            ],
        ) from error
    return receipt


def _created(receipt: Receipt) -> dict[str, Any]:
    """The 201 body, as a plain dict.

    ninja checks it against ContactCreated and renders it; building a
    ContactCreated here as well would validate and dump it twice.
    """
    return {
        "reference": receipt.contact.reference,
        "status": receipt.contact.status,
        "received_at": receipt.contact.received_at,
        "tracking_secret": receipt.tracking_secret,
    }
