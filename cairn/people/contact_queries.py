"""Reads for the people on a contact: who is linked, their markers and repeat counts, the
possible matches waiting for the handler, and what triage reads from them.

Like ``queries``, a function returning people writes one audit consultation
row per person it shows.
"""

from dataclasses import dataclass
from typing import Any

from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.contacts.models import Contact
from cairn.people.models import ContactMatch, Marker, MatterRole, Person, PossibleMatch
from cairn.people.queries import (
    LIVE_MARKERS,
    SHOWN_ON_CONTACT,
    MarkerView,
    RepeatCounts,
    live_markers,
    marker_views,
    repeat_counts,
    require_view_people,
)


@dataclass(frozen=True)
class LinkedPerson:
    role: MatterRole
    person: Person
    markers: list[MarkerView]
    repeat: RepeatCounts
    recent: list[Contact]  # their earlier contacts, newest first (at most RECENT_ON_CONTACT)


RECENT_ON_CONTACT = 5


def _earlier_contacts(contact: Contact, person_ids: set[int]) -> dict[int, list[Contact]]:
    """Each person's contacts before this one, newest first: one query for them all."""
    earlier: dict[int, list[Contact]] = {}
    roles = (
        MatterRole.objects.filter(
            person_id__in=person_ids,
            ended_at__isnull=True,
            contact__received_at__lte=contact.received_at,
        )
        .exclude(contact=contact)
        .select_related("contact")
        .order_by("-contact__received_at")[: RECENT_ON_CONTACT * max(len(person_ids), 1) * 2]
    )
    for role in roles:
        shown = earlier.setdefault(role.person_id, [])
        if len(shown) < RECENT_ON_CONTACT and role.contact not in shown:
            shown.append(role.contact)
    return earlier


@dataclass(frozen=True)
class PossibleMatchView:
    possible: PossibleMatch
    person: Person
    markers: list[MarkerView]


@dataclass(frozen=True)
class ContactPeople:
    outcome: str  # a MatchOutcome value, or "" while matching has not run
    linked: list[LinkedPerson]
    possible: list[PossibleMatchView]


def people_on_contact(contact: Contact, *, user: Any, purpose: str = "triage") -> ContactPeople:
    """The people linked to a contact, their markers and repeat counts, and open possible matches.

    One audit consultation row per person shown.
    """
    require_view_people(user)
    match = ContactMatch.objects.filter(contact=contact).values_list("outcome", flat=True).first()
    roles = list(
        MatterRole.objects.filter(contact=contact, ended_at__isnull=True)
        .select_related("person")
        .order_by("linked_at")
    )
    possibles = list(
        PossibleMatch.objects.filter(contact=contact, status=PossibleMatch.Status.OPEN)
        .select_related("person")
        .order_by("-score")
    )
    person_ids = {r.person_id for r in roles} | {p.person_id for p in possibles}
    markers: dict[int, list[Marker]] = {}
    for marker in live_markers(person_ids):
        markers.setdefault(marker.person_id, []).append(marker)
    earlier = _earlier_contacts(contact, {role.person_id for role in roles}) if roles else {}
    linked = [
        LinkedPerson(
            role,
            role.person,
            marker_views(markers.get(role.person_id, [])),
            repeat_counts(role.person, until=contact.received_at),
            earlier.get(role.person_id, []),
        )
        for role in roles
    ]
    possible = [
        PossibleMatchView(p, p.person, marker_views(markers.get(p.person_id, [])))
        for p in possibles
    ]
    for person_id in sorted(person_ids):
        record(
            Operation.CONSULTATION,
            object_type="person",
            object_id=person_id,
            fields=SHOWN_ON_CONTACT,
            actor=user,
            purpose=purpose,
            context={"contact": contact.pk},
        )
    return ContactPeople(outcome=match or "", linked=linked, possible=possible)


def linked_person_ids(contact: Contact) -> list[int]:
    """The people with a current role on the contact."""
    return list(
        MatterRole.objects.filter(contact=contact, ended_at__isnull=True).values_list(
            "person_id", flat=True
        )
    )


def marker_codes_for_contact(contact: Contact) -> tuple[str, ...]:
    """Live, unrestricted marker kinds of the people on a contact, for the CAM cue rules.

    Restricted markers stay out: a cue's evidence is shown to every handler.
    """
    return tuple(
        sorted(
            set(
                Marker.objects.filter(
                    person__roles__contact=contact,
                    person__roles__ended_at__isnull=True,
                    status__in=LIVE_MARKERS,
                    restricted=False,
                ).values_list("kind", flat=True)
            )
        )
    )
