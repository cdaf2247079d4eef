"""Reads for people. Each function that returns a person takes ``user=`` and
writes one audit consultation row for the read (DPA 2018 s.62).

Restricted markers come back as "restricted" with their kind and note
hidden; ``reveal_marker`` shows one to a user who states a purpose, and
that purpose is what the audit row records.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.postgres.search import TrigramWordDistance
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.contacts.models import Contact
from cairn.events.models import DomainEvent
from cairn.people.identity import fold, normalise_email, normalise_phone
from cairn.people.marker_kinds import marker_kinds
from cairn.people.models import (
    Combination,
    Identifier,
    Marker,
    MatterRole,
    Person,
    PersonName,
    Rectification,
)

REPEAT_WINDOW_DAYS = 90
SHOWN_ON_PERSON = [
    "names",
    "date_of_birth",
    "identifiers",
    "addresses",
    "markers",
    "roles",
    "history",
]
SHOWN_ON_CONTACT = ["names", "date_of_birth", "markers", "roles", "repeat_contacts"]
LIVE_MARKERS = (Marker.Status.ACTIVE, Marker.Status.REVIEW_DUE)


def may_view_people(user: Any) -> bool:
    return has_capability(user, Capability.VIEW_PEOPLE)


def require_view_people(user: Any) -> None:
    if not may_view_people(user):
        raise PermissionDenied(_("Your role does not allow you to see person records."))


@dataclass(frozen=True)
class MarkerView:
    marker: Marker
    shown: bool  # False: restricted, kind and note withheld

    @property
    def label(self) -> str:
        if not self.shown:
            return _("Restricted marker")
        kind = marker_kinds().get(self.marker.kind)
        return kind.label if kind else self.marker.kind

    @property
    def is_risk(self) -> bool:
        kind = marker_kinds().get(self.marker.kind)
        return self.shown and kind is not None and kind.kind == "risk"


@dataclass(frozen=True)
class RepeatCounts:
    days: int
    contacts: int  # the person's contacts in the window
    follow_ups: int  # of those, about an earlier matter (repeat / failure demand)
    at_their_locations: int  # contacts by anyone at the postcodes of the person's contacts


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    name: str  # the event name, e.g. "contact.received"
    label: str  # plain words
    contact: Contact | None = None
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PersonView:
    person: Person
    names: list[PersonName]
    identifiers: list[Identifier]
    addresses: list
    markers: list[MarkerView]
    roles: list[MatterRole]
    repeat: RepeatCounts
    timeline: list[TimelineEntry]
    combinations: list[Combination]  # records merged into this one
    rectifications: list[Rectification]


def marker_views(markers, *, revealed: frozenset[int] = frozenset()) -> list[MarkerView]:
    return [MarkerView(m, shown=not m.restricted or m.pk in revealed) for m in markers]


def live_markers(person_ids) -> list[Marker]:
    return list(
        Marker.objects.filter(person_id__in=person_ids, status__in=LIVE_MARKERS).order_by(
            "restricted", "-added_at"
        )
    )


def repeat_counts(
    person: Person, *, days: int = REPEAT_WINDOW_DAYS, until: datetime | None = None
) -> RepeatCounts:
    until = until or timezone.now()
    since = until - timedelta(days=days)
    contacts = Contact.objects.filter(
        person_roles__person=person,
        person_roles__ended_at__isnull=True,
        received_at__gte=since,
        received_at__lte=until,
    ).distinct()
    rows = list(contacts.values_list("pk", "related_to_id", "postcode"))
    postcodes = {postcode for _, _, postcode in rows if postcode}
    at_locations = (
        Contact.objects.filter(
            postcode__in=postcodes, received_at__gte=since, received_at__lte=until
        ).count()
        if postcodes
        else 0
    )
    return RepeatCounts(
        days=days,
        contacts=len(rows),
        follow_ups=sum(1 for _, related, _ in rows if related),
        at_their_locations=at_locations,
    )


EVENT_LABELS = {
    "contact.received": gettext_lazy("Contact received"),
    "contact.status_changed": gettext_lazy("Status changed"),
    "contact.cues_raised": gettext_lazy("Vulnerability cues raised"),
    "contact.assessed": gettext_lazy("Assessed (THRIVE)"),
    "contact.decided": gettext_lazy("Response decided"),
    "contact.regraded": gettext_lazy("Regraded"),
    "contact.transferred": gettext_lazy("Transferred"),
    "person.recorded": gettext_lazy("Record created"),
    "person.linked": gettext_lazy("Linked to a contact"),
    "person.unlinked": gettext_lazy("Unlinked from a contact"),
    "person.merged": gettext_lazy("Another record merged into this one"),
    "person.unmerged": gettext_lazy("Merge undone"),
    "person.marker_added": gettext_lazy("Marker added"),
    "person.marker_reviewed": gettext_lazy("Marker reviewed"),
    "person.rectified": gettext_lazy("Record corrected"),
}
# Claims, releases and cue dismissals are the handlers' working steps, not the person's history.
TIMELINE_EVENTS = tuple(EVENT_LABELS)


def _timeline(person_ids: list[int], contacts: dict[int, Contact]) -> list[TimelineEntry]:
    """Every channel and matter: the events of the person's contacts and of the record itself.

    Cases, appointments, referrals and messages write events about their
    contact or person too, so they appear here as those apps land.
    """
    events = DomainEvent.objects.filter(
        Q(subject_type="contact", subject_id__in=[str(pk) for pk in contacts])
        | Q(subject_type="person", subject_id__in=[str(pk) for pk in person_ids]),
        name__in=TIMELINE_EVENTS,
    ).order_by("-occurred_at", "-id")[:500]
    entries = []
    for event in events:
        contact = contacts.get(int(event.subject_id)) if event.subject_type == "contact" else None
        if contact is None and event.subject_type == "person":
            contact = contacts.get((event.data or {}).get("contact"))
        entries.append(
            TimelineEntry(
                at=event.occurred_at,
                name=event.name,
                label=str(EVENT_LABELS.get(event.name, event.name)),
                contact=contact,
                data=event.data or {},
            )
        )
    # Contacts received before events existed for them still show their arrival.
    seen = {e.contact.pk for e in entries if e.contact and e.name == "contact.received"}
    for contact in contacts.values():
        if contact.pk not in seen:
            entries.append(
                TimelineEntry(
                    contact.received_at, "contact.received", _("Contact received"), contact
                )
            )
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries


def person_view(person_id: int, *, user: Any, purpose: str = "") -> PersonView | None:
    """Everything the person page shows, in one audited read."""
    require_view_people(user)
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        return None
    absorbed_ids = list(Person.objects.filter(merged_into=person).values_list("pk", flat=True))
    roles = list(
        MatterRole.objects.filter(person=person)
        .select_related("contact", "linked_by", "ended_by")
        .order_by("-contact__received_at")
    )
    contacts = {role.contact_id: role.contact for role in roles if role.ended_at is None}
    view = PersonView(
        person=person,
        names=list(person.names.order_by("kind", "pk")),
        identifiers=list(person.identifiers.order_by("kind", "pk")),
        addresses=list(person.addresses.order_by("-is_current", "-first_seen_at")),
        markers=marker_views(
            Marker.objects.filter(person=person)
            .select_related("added_by")
            .order_by("restricted", "-added_at")
        ),
        roles=roles,
        repeat=repeat_counts(person),
        timeline=_timeline([person.pk, *absorbed_ids], contacts),
        combinations=list(
            Combination.objects.filter(survivor=person)
            .select_related("absorbed", "merged_by", "undone_by")
            .order_by("-merged_at")
        ),
        rectifications=list(person.rectifications.select_related("rectified_by")),
    )
    record(
        Operation.CONSULTATION,
        object_type="person",
        object_id=person.pk,
        fields=SHOWN_ON_PERSON,
        actor=user,
        purpose=purpose,
    )
    return view


def reveal_marker(marker_id: int, *, user: Any, purpose: str) -> Marker:
    """A restricted marker's details, for a stated purpose (audited with that purpose)."""
    require_view_people(user)
    if not purpose.strip():
        raise PermissionDenied(_("State why you need to see this marker."))
    marker = Marker.objects.get(pk=marker_id)
    record(
        Operation.CONSULTATION,
        object_type="person",
        object_id=marker.person_id,
        fields=["markers.restricted"],
        actor=user,
        purpose=purpose.strip(),
        context={"marker": marker.pk},
    )
    return marker


def search_people(text: str, *, user: Any, limit: int = 20) -> list[Person]:
    """Find records by phone, email or name (trigram similarity). Audited as one search."""
    require_view_people(user)
    text = (text or "").strip()
    if not text:
        return []
    phone, email = normalise_phone(text), normalise_email(text)
    people = Person.objects.filter(merged_into__isnull=True)
    if phone or email:
        value = phone or email
        found = list(people.filter(identifiers__value=value).distinct()[:limit])
    else:
        name = fold(text)
        ids = list(
            PersonName.objects.filter(normalised__trigram_word_similar=name)
            .annotate(distance=TrigramWordDistance(name, "normalised"))
            .order_by("distance")
            .values_list("person_id", flat=True)[: limit * 3]
        )
        by_id = people.in_bulk(ids)
        found = list(dict.fromkeys(by_id[pk] for pk in ids if pk in by_id))[:limit]
    record(
        Operation.CONSULTATION,
        object_type="person_search",
        fields=["names", "identifiers"],
        actor=user,
        context={"results": len(found), "by": "identifier" if (phone or email) else "name"},
    )
    return found
