"""Referrals for partner agencies' own systems (an API key with the "referrals.respond" scope,
linked to one agency).

GET /api/v1/partners/referrals lists the agency's referrals, GET …/{reference}
reads one (each read is audited as a disclosure to the agency), and POST
…/{reference}/accept, /decline and /outcome answer it, as the partner portal
does. Another agency's referral is 404, exactly like one that does not exist.
The agency hears of new and withdrawn referrals by webhook (docs/partners.md).
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel

from cairn.api.auth import ApiKey
from cairn.api.errors import ERROR_RESPONSES, ApiProblem, ErrorResponse
from cairn.partners.models import Referral, ReferralStatus
from cairn.partners.queries import referral_for_client, referrals_for_client
from cairn.partners.responses import (
    Responder,
    accept_referral,
    decline_referral,
    record_outcome,
    responder,
)
from cairn.partners.services import ReferralError, ReferralNotFound

router = Router(tags=["partners"], auth=ApiKey())

FORBIDDEN = "This API key does not answer referrals for an agency."
REFERENCE_MAX = 24
RESPONSES = {**ERROR_RESPONSES, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse}


class PersonShared(Schema):
    name: str = Field(description="As shared with the agency; may be empty")
    phone: str
    email: str


class ConsentOut(Schema):
    lawful_basis: str = Field(description="consent, vital_interests or safeguarding")
    consent_given: bool
    method: str = Field(description="verbal_on_call, online or written; empty without consent")
    recorded_at: datetime | None


class OutcomeOut(Schema):
    code: str
    text: str
    recorded_at: datetime


class ReferralOut(Schema):
    reference: str
    status: str
    service_type: str
    service_name: str
    case_reference: str
    reason: str
    person: PersonShared
    consent: ConsentOut
    made_at: datetime
    responded_at: datetime | None
    decline_reason: str
    outcome: OutcomeOut | None
    withdrawn_at: datetime | None


class ReferralList(Schema):
    referrals: list[ReferralOut]


class StatusOut(Schema):
    reference: str
    status: str
    responded_at: datetime | None


class DeclineIn(BaseModel):
    reason: str = Field(..., min_length=1, max_length=2000, description="Why, in a few words")


class OutcomeIn(BaseModel):
    outcome: str = Field(..., max_length=40, description="A code from policy/partner_services.yaml")
    text: str = Field("", max_length=2000)


class ListFilters(Schema):
    status: ReferralStatus | None = None


def _out(referral: Referral) -> dict:
    return {
        "reference": referral.reference,
        "status": referral.status,
        "service_type": referral.service.service_type,
        "service_name": referral.service.name,
        "case_reference": referral.case.reference,
        "reason": referral.reason,
        "person": {
            "name": referral.shared_name,
            "phone": referral.shared_phone,
            "email": referral.shared_email,
        },
        "consent": {
            "lawful_basis": referral.lawful_basis,
            "consent_given": referral.consent_given,
            "method": referral.consent_method,
            "recorded_at": referral.consent_recorded_at,
        },
        "made_at": referral.made_at,
        "responded_at": referral.responded_at,
        "decline_reason": referral.decline_reason,
        "outcome": {
            "code": referral.outcome_code,
            "text": referral.outcome_text,
            "recorded_at": referral.outcome_recorded_at,
        }
        if referral.outcome_recorded_at
        else None,
        "withdrawn_at": referral.withdrawn_at,
    }


def _status(referral: Referral) -> dict:
    return {
        "reference": referral.reference,
        "status": referral.status,
        "responded_at": referral.responded_at,
    }


def _not_found() -> ApiProblem:
    return ApiProblem(404, "not_found", "No referral with that reference.")


def _responder(request) -> Responder:
    try:
        return responder(client=request.auth)
    except PermissionDenied:
        raise ApiProblem(403, "forbidden", FORBIDDEN) from None


def _answer(act, reference: str) -> dict:
    if len(reference) > REFERENCE_MAX:
        raise _not_found()
    try:
        return _status(act(reference))
    except ReferralNotFound:
        raise _not_found() from None
    except ReferralError as refused:
        raise ApiProblem(409, "conflict", str(refused)) from None
    except ValidationError as invalid:
        details = [
            {"field": field, "message": message}
            for field, messages in invalid.message_dict.items()
            for message in messages
        ]
        raise ApiProblem(422, "validation_error", "The request is not valid.", details) from None


@router.get(
    "/referrals", response={200: ReferralList, **RESPONSES}, summary="Your agency's referrals"
)
def list_referrals(request, filters: Query[ListFilters]):
    try:
        found = referrals_for_client(client=request.auth, status=filters.status or "")
    except PermissionDenied:
        raise ApiProblem(403, "forbidden", FORBIDDEN) from None
    return {"referrals": [_out(referral) for referral in found]}


@router.get(
    "/referrals/{reference}", response={200: ReferralOut, **RESPONSES}, summary="Read a referral"
)
def read_referral(request, reference: str):
    if len(reference) > REFERENCE_MAX:
        raise _not_found()
    try:
        referral = referral_for_client(reference, client=request.auth)
    except PermissionDenied:
        raise ApiProblem(403, "forbidden", FORBIDDEN) from None
    if referral is None:
        raise _not_found()
    return _out(referral)


@router.post(
    "/referrals/{reference}/accept",
    response={200: StatusOut, **RESPONSES},
    summary="Accept a referral (accepting again changes nothing)",
)
def accept(request, reference: str):
    by = _responder(request)
    return _answer(lambda ref: accept_referral(ref, by=by), reference)


@router.post(
    "/referrals/{reference}/decline",
    response={200: StatusOut, **RESPONSES},
    summary="Decline a referral, saying why",
)
def decline(request, reference: str, body: DeclineIn):
    by = _responder(request)
    return _answer(lambda ref: decline_referral(ref, reason=body.reason, by=by), reference)


@router.post(
    "/referrals/{reference}/outcome",
    response={200: StatusOut, **RESPONSES},
    summary="Record how an accepted referral ended",
)
def outcome(request, reference: str, body: OutcomeIn):
    by = _responder(request)
    return _answer(
        lambda ref: record_outcome(ref, outcome=body.outcome, text=body.text, by=by), reference
    )
