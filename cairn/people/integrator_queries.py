"""Reads of person records by API clients (keys with the people.read scope).

Each read is audited against the client, with the purpose the caller gave.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.people.identity import Identity
from cairn.people.matching import MatchResult, match_identity
from cairn.people.models import MatterRole, Person
from cairn.people.queries import PersonView, live_markers, marker_views, repeat_counts

PEOPLE_READ_SCOPE = "people.read"


def may_read_people_by_api(client: Any) -> bool:
    return PEOPLE_READ_SCOPE in (getattr(client, "scopes", None) or [])


def _audit_client(client: Any, **row: Any) -> None:
    context = {"api_client": client.pk, **row.pop("context", {})}
    record(Operation.CONSULTATION, actor=None, context=context, **row)


def person_for_integrator(person_id: int, *, client: Any, purpose: str) -> PersonView | None:
    """A person for an API client holding the people.read scope; audited against the client."""
    if not may_read_people_by_api(client):
        raise PermissionDenied(_("This API key may not read person records."))
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        return None
    roles = list(
        MatterRole.objects.filter(person=person, ended_at__isnull=True)
        .select_related("contact")
        .order_by("-contact__received_at")
    )
    view = PersonView(
        person=person,
        names=list(person.names.order_by("kind", "pk")),
        identifiers=list(person.identifiers.order_by("kind", "pk")),
        addresses=list(person.addresses.order_by("-is_current", "-first_seen_at")),
        markers=marker_views(live_markers([person.pk])),
        roles=roles,
        repeat=repeat_counts(person),
        timeline=[],
        combinations=[],
        rectifications=[],
    )
    _audit_client(
        client,
        object_type="person",
        object_id=person.pk,
        fields=["names", "date_of_birth", "identifiers", "addresses", "markers", "roles"],
        purpose=purpose,
    )
    return view


def match_for_integrator(identity: Identity, *, client: Any, purpose: str) -> MatchResult:
    """Candidate people for an identity (the online lookup), audited as one search."""
    if not may_read_people_by_api(client):
        raise PermissionDenied(_("This API key may not read person records."))
    result = match_identity(identity)
    _audit_client(
        client,
        object_type="person_search",
        fields=["names", "identifiers"],
        purpose=purpose,
        context={
            "linked": result.confident.person_id if result.confident else None,
            "possible": [m.person_id for m in result.possible],
        },
    )
    return result
