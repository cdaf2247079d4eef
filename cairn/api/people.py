"""Person records for integrators holding the "people.read" scope.

GET /api/v1/people/{id} reads one record; POST /api/v1/people/match finds
the person an identity belongs to (the same matcher contacts go through).
Each call states its purpose (the ``X-Purpose`` header or ``purpose`` field)
and writes one audit consultation against the calling client.
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from ninja import Field, Header, Router, Schema
from pydantic import BaseModel

from cairn.api.auth import ApiKey
from cairn.api.errors import ERROR_RESPONSES, ApiProblem, ErrorResponse
from cairn.people.identity import identity_of
from cairn.people.integrator_queries import match_for_integrator, person_for_integrator

router = Router(tags=["people"], auth=ApiKey())


class NameOut(Schema):
    kind: str
    given_name: str
    family_name: str


class IdentifierOut(Schema):
    kind: str
    value: str


class AddressOut(Schema):
    address: str
    postcode: str
    current: bool


class MarkerOut(Schema):
    kind: str | None = Field(None, description="Withheld (null) when the marker is restricted")
    restricted: bool
    review_on: date | None


class RoleOut(Schema):
    contact_reference: str
    role: str


class PersonOut(Schema):
    id: int
    merged_into: int | None = Field(None, description="Set when this record was merged away")
    given_name: str
    family_name: str
    date_of_birth: date | None
    preferred_language: str
    access_needs: list[str]
    names: list[NameOut]
    identifiers: list[IdentifierOut]
    addresses: list[AddressOut]
    markers: list[MarkerOut]
    roles: list[RoleOut]
    contacts_in_last_90_days: int


class MatchIn(BaseModel):
    purpose: str = Field(..., min_length=3, max_length=200, description="Why you are looking")
    name: str = Field("", max_length=200)
    date_of_birth: date | None = None
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    postcode: str = Field("", max_length=10)
    address: str = Field("", max_length=400)


class CandidateOut(Schema):
    person_id: int
    score: float
    reasons: list[str]


class MatchOut(Schema):
    linked: CandidateOut | None = Field(None, description="A confident match, if there is one")
    possible: list[CandidateOut] = Field(description="Candidates for a person to decide on")


def _purpose(x_purpose: str) -> str:
    purpose = (x_purpose or "").strip()
    if len(purpose) < 3:
        raise ApiProblem(
            400, "purpose_required", "Say why you read this record in the X-Purpose header."
        )
    return purpose[:200]


@router.get(
    "/{int:person_id}",
    response={200: PersonOut, **ERROR_RESPONSES, 403: ErrorResponse, 404: ErrorResponse},
    summary="Read a person record",
)
def read_person(request, person_id: int, x_purpose: str = Header("", alias="X-Purpose")):
    purpose = _purpose(x_purpose)
    try:
        view = person_for_integrator(person_id, client=request.auth, purpose=purpose)
    except PermissionDenied:
        raise ApiProblem(403, "forbidden", "This API key may not read person records.") from None
    if view is None:
        raise ApiProblem(404, "not_found", "No person with that id.")
    person = view.person
    return {
        "id": person.pk,
        "merged_into": person.merged_into_id,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth,
        "preferred_language": person.preferred_language,
        "access_needs": person.access_needs,
        "names": [
            {"kind": n.kind, "given_name": n.given_name, "family_name": n.family_name}
            for n in view.names
        ],
        "identifiers": [{"kind": i.kind, "value": i.value} for i in view.identifiers],
        "addresses": [
            {"address": a.address_text, "postcode": a.postcode, "current": a.is_current}
            for a in view.addresses
        ],
        "markers": [
            {
                "kind": m.marker.kind if m.shown else None,
                "restricted": m.marker.restricted,
                "review_on": m.marker.review_on if m.shown else None,
            }
            for m in view.markers
        ],
        "roles": [{"contact_reference": r.contact.reference, "role": r.role} for r in view.roles],
        "contacts_in_last_90_days": view.repeat.contacts,
    }


def _candidate(match) -> dict:
    return {"person_id": match.person_id, "score": match.score, "reasons": list(match.reasons)}


@router.post(
    "/match",
    response={200: MatchOut, **ERROR_RESPONSES, 403: ErrorResponse},
    summary="Find the person an identity belongs to",
)
def match_person(request, body: MatchIn):
    identity = identity_of(
        name=body.name,
        date_of_birth=body.date_of_birth,
        phones=[body.phone] if body.phone else [],
        emails=[body.email] if body.email else [],
        address=body.address,
        postcode=body.postcode,
    )
    if identity.is_empty():
        raise ApiProblem(
            422,
            "not_enough_to_match",
            "Give a phone number or email, or a name with a date of birth, postcode or address.",
        )
    try:
        result = match_for_integrator(identity, client=request.auth, purpose=body.purpose.strip())
    except PermissionDenied:
        raise ApiProblem(403, "forbidden", "This API key may not read person records.") from None
    return {
        "linked": _candidate(result.confident) if result.confident else None,
        "possible": [_candidate(m) for m in result.possible],
    }
