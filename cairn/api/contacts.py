"""POST /api/v1/contacts: a contact from an integrator (a force system, an app)."""

import json
from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from ninja import Field, Router, Schema
from pydantic import BaseModel

from cairn.api.auth import ApiKey
from cairn.api.errors import ERROR_RESPONSES, ApiProblem
from cairn.api.idempotency import idempotency_key
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


# The request bodies are plain pydantic models, not ninja Schemas: a Schema
# wraps every model's input for reading Django objects, which a JSON body never
# is (~30 µs a request). NUL characters and every other rule of intake are
# checked by receive_contact, for all channels alike.


class ReporterIn(BaseModel):
    name: str = Field("", max_length=200)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)


class LocationIn(BaseModel):
    address: str = Field("", max_length=400)
    postcode: str = Field("", max_length=10)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    accuracy_m: float | None = Field(None, ge=0)


class ContactIn(BaseModel):
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
    response={201: ContactCreated, **ERROR_RESPONSES},
    summary="Submit a contact from the public",
    description="Send `Idempotency-Key` to make retries safe: a replay of the same body "
    "returns the first response (201, the same reference and tracking secret) and saves "
    "nothing; the same key with a different body is refused with 422. A key stays used "
    "for as long as the contact it made is kept.",
)
def create_contact(request, payload: ContactIn):
    client = request.auth
    key = idempotency_key(request)
    # receive_contact writes in one statement, which is a transaction by itself:
    # no BEGIN and COMMIT of our own (two round trips saved). With a key it
    # makes the contact exactly once and says whether a retry sent the same.
    receipt = _receive(_submission(payload, client, key))
    if not receipt.same_submission:
        raise ApiProblem(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was already used with a different body.",
        )
    return _created(receipt)


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


def _created(receipt: Receipt) -> HttpResponse:
    """The 201 (first time and replays alike), rendered here.

    It is ContactCreated exactly (tests/api check it against the OpenAPI
    document), written directly: validating our own four fields through the
    schema and then rendering them cost ~40 µs a request.
    """
    body = {
        "reference": receipt.reference,
        "status": str(receipt.status),
        # As ninja writes a datetime (DjangoJSONEncoder): ISO 8601, milliseconds, Z for UTC.
        "received_at": DJANGO_JSON.default(receipt.received_at),
        "tracking_secret": receipt.tracking_secret,
    }
    return HttpResponse(json.dumps(body), status=201, content_type="application/json")


DJANGO_JSON = DjangoJSONEncoder()
