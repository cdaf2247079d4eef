"""Reads for triage: the open queue, a contact as a handler sees it, its timeline.

Functions that return personal data take ``user`` and give nothing to a user
without the triage capability; reads of a contact are audited as consultations.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from cairn.accounts.models import Team
from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.contacts.location_queries import repeat_location_count
from cairn.contacts.models import Channel, Contact, Status
from cairn.people.contact_queries import linked_person_ids, marker_codes_for_contact
from cairn.people.models import MatterRole
from cairn.triage.facts import ContactFacts, Suggestion
from cairn.triage.models import Assessment, Claim, Cue, CueStatus, Decision, NextStep
from cairn.triage.policy import Policy, current_policy

CHANNEL_LABELS = dict(Channel.choices)
WAITING_STATUSES = (Status.RECEIVED, Status.IN_ASSESSMENT)
QUEUE_LIMIT = 500
# What the triage page shows of a contact (names only: the audit row lists them).
SHOWN_FOR_TRIAGE = [
    "reference",
    "channel",
    "category",
    "received_at",
    "language",
    "narrative",
    "answers",
    "address_text",
    "postcode",
    "division",
    "reporter_name",
    "reporter_email",
    "reporter_phone",
    "anonymous",
]


def may_triage(user: Any) -> bool:
    return has_capability(user, Capability.TRIAGE)


# The queue ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueEntry:
    """One waiting contact as the queue shows it (no narrative, no reporter)."""

    contact_id: int
    reference: str
    channel: str
    channel_label: str
    category: str
    received_at: datetime
    division: str
    urgency: int
    cue_kinds: tuple[str, ...]
    claimed_by: str  # the holder's name, or ""
    claimed_by_id: int | None
    claimed_at: datetime | None
    waiting: timedelta
    in_assessment: timedelta | None


def _urgency_of_kind(policy: Policy) -> Case:
    """A cue's urgency from its kind, as the policy ranks them (unknown kinds count 0)."""
    whens = [When(kind=code, then=Value(kind.urgency)) for code, kind in policy.cue_kinds.items()]
    return Case(*whens, default=Value(0), output_field=IntegerField())


def _waiting_contacts() -> QuerySet[Contact]:
    decided = Decision.objects.filter(contact=OuterRef("pk"))
    return Contact.objects.filter(status__in=WAITING_STATUSES).filter(~Exists(decided))


def _filtered(
    contacts: QuerySet[Contact], *, team: Team | None, division: str | None, channel: str | None
) -> QuerySet[Contact]:
    """A team's queue is its division's contacts and the ones its members are working."""
    if team is not None:
        worked_by_team = Q(triage_claim__handler__team=team)
        contacts = contacts.filter(
            Q(division_id=team.division_id) | worked_by_team if team.division_id else worked_by_team
        )
    if division:
        contacts = contacts.filter(division_id=division)
    if channel:
        contacts = contacts.filter(channel=channel)
    return contacts


def open_queue(
    user: Any,
    team: Team | None = None,
    division: str | None = None,
    channel: str | None = None,
    *,
    limit: int = QUEUE_LIMIT,
) -> list[QueueEntry]:
    """The waiting contacts, most urgent first, in one query.

    Waiting: received or being assessed, with no decision yet. Order: the
    highest urgency among its raised cues, then 999 calls first, then the
    longest wait. Nothing for a user who may not triage.
    """
    if not may_triage(user):
        return []
    policy = current_policy()
    raised = Cue.objects.filter(contact=OuterRef("pk"), status=CueStatus.RAISED)
    top_urgency = (
        raised.annotate(urgency=_urgency_of_kind(policy)).order_by("-urgency").values("urgency")
    )
    rows = (
        _filtered(_waiting_contacts(), team=team, division=division, channel=channel)
        .annotate(
            urgency=Coalesce(Subquery(top_urgency[:1]), Value(0)),
            emergency=Case(
                When(channel=Channel.PHONE_999, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            cue_kinds=ArraySubquery(raised.order_by("kind").values("kind")),
        )
        .order_by("-urgency", "-emergency", "received_at", "pk")
        .values(
            "pk",
            "reference",
            "channel",
            "category",
            "received_at",
            "division_id",
            "urgency",
            "cue_kinds",
            claimed_at=F("triage_claim__claimed_at"),
            handler_id=F("triage_claim__handler_id"),
            handler_first_name=F("triage_claim__handler__first_name"),
            handler_last_name=F("triage_claim__handler__last_name"),
            handler_username=F("triage_claim__handler__username"),
        )[:limit]
    )
    now = timezone.now()
    channel_labels = {code: str(label) for code, label in CHANNEL_LABELS.items()}  # once, not a row
    entries = [_entry(row, now, channel_labels) for row in rows]
    record(
        Operation.CONSULTATION,
        object_type="contact_queue",
        fields=["reference", "channel", "category", "received_at", "cues", "claim"],
        purpose="triage",
        context={
            "team": team.pk if team else None,
            "division": division or "",
            "channel": channel or "",
            "results": len(entries),
        },
    )
    return entries


def _entry(row: dict[str, Any], now: datetime, channel_labels: dict[str, str]) -> QueueEntry:
    claimed_at = row["claimed_at"]
    handler = ""
    if row["handler_id"] is not None:  # as StaffUser.__str__ says it
        full_name = f"{row['handler_first_name']} {row['handler_last_name']}".strip()
        handler = full_name or row["handler_username"]
    return QueueEntry(
        contact_id=row["pk"],
        reference=row["reference"],
        channel=row["channel"],
        channel_label=channel_labels.get(row["channel"], row["channel"]),
        category=row["category"],
        received_at=row["received_at"],
        division=row["division_id"] or "",
        urgency=row["urgency"],
        cue_kinds=tuple(row["cue_kinds"] or ()),
        claimed_by=handler,
        claimed_by_id=row["handler_id"],
        claimed_at=claimed_at,
        waiting=now - row["received_at"],
        in_assessment=now - claimed_at if claimed_at else None,
    )


# One contact -------------------------------------------------------------------------------


def contact_for_triage(contact_id: int, user: Any) -> Contact | None:
    """The contact with its claim, for a handler; None when missing or not for this user.

    Audited as a consultation of every field the triage page shows.
    """
    if not may_triage(user):
        return None
    contact = (
        Contact.objects.select_related("triage_claim__handler", "division")
        .filter(pk=contact_id)
        .first()
    )
    if contact is None:
        return None
    record(
        Operation.CONSULTATION,
        object_type="contact",
        object_id=contact.pk,
        fields=SHOWN_FOR_TRIAGE,
        purpose="triage",
    )
    return contact


def claim_of(contact: Contact) -> Claim | None:
    """Who is working the contact now, if anyone (no personal data beyond the handler)."""
    return Claim.objects.select_related("handler").filter(contact=contact).first()


def latest_assessment(contact: Contact) -> Assessment | None:
    return contact.assessments.order_by("-version").first()


def current_decision(contact: Contact) -> Decision | None:
    """The decision in force: the latest, which supersedes the others."""
    return (
        contact.decisions.select_related("next_step", "policy_version", "decided_by")
        .order_by("-decided_at", "-pk")
        .first()
    )


def cues_of(contact: Contact) -> list[Cue]:
    return list(contact.cues.select_related("dismissed_by").order_by("status", "raised_at", "pk"))


def recent_contact_counts(contact: Contact, policy: Policy) -> tuple[int, int]:
    """Other contacts in the look-back window: from the same person, and at the same place
    (the same postcode, or within 150 m of the coordinates).

    "The same person" is the person the reporter is linked to (``cairn.people``,
    across all their numbers and addresses) and, for contacts matching has
    not reached yet, the same email or phone as given.
    """
    since = contact.received_at - timedelta(days=policy.lookback_days)
    window = Contact.objects.filter(received_at__gte=since, received_at__lte=contact.received_at)
    window = window.exclude(pk=contact.pk)
    same_person = Q()
    person_ids = linked_person_ids(contact)
    if person_ids:
        same_person |= Q(
            pk__in=MatterRole.objects.filter(
                person_id__in=person_ids, ended_at__isnull=True
            ).values("contact_id")
        )
    if contact.reporter_email:
        same_person |= Q(reporter_email__iexact=contact.reporter_email)
    if contact.reporter_phone:
        same_person |= Q(reporter_phone=contact.reporter_phone)
    from_person = window.filter(same_person).count() if same_person else 0
    at_location = repeat_location_count(
        postcode=contact.postcode,
        latitude=contact.latitude,
        longitude=contact.longitude,
        since=since,
        until=contact.received_at,
        exclude_contact_id=contact.pk,
    )
    return from_person, at_location


def facts_for(
    contact: Contact, assessment: Assessment | None = None, policy: Policy | None = None
) -> ContactFacts:
    """What the CAM engine and the cue rules read about a contact."""
    policy = policy or current_policy()
    from_person, at_location = recent_contact_counts(contact, policy)
    return ContactFacts(
        channel=contact.channel,
        language=contact.language,
        category=contact.category,
        narrative=contact.narrative,
        answers=contact.answers or {},
        thrive=assessment.levels() if assessment else {},
        markers=marker_codes_for_contact(contact),
        recent_contacts_from_person=from_person,
        recent_contacts_at_location=at_location,
    )


def suggestion_for(contact: Contact, assessment: Assessment | None = None) -> Suggestion:
    """The engine's suggestion for the contact under the current policy (nothing saved)."""
    from cairn.triage.engine import suggest

    policy = current_policy()
    assessment = assessment or latest_assessment(contact)
    return suggest(facts_for(contact, assessment, policy), policy)


# The timeline ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "cue", "cue_dismissed", "assessment", "decision", "next_step"
    item: Any


def timeline(contact: Contact, user: Any) -> list[TimelineEntry]:
    """Everything triage recorded on the contact, oldest first. Audited."""
    if not may_triage(user):
        return []
    entries: list[TimelineEntry] = []
    for cue in contact.cues.select_related("dismissed_by"):
        entries.append(TimelineEntry(cue.raised_at, "cue", cue))
        if cue.dismissed_at:
            entries.append(TimelineEntry(cue.dismissed_at, "cue_dismissed", cue))
    for assessment in contact.assessments.select_related("assessed_by"):
        entries.append(TimelineEntry(assessment.assessed_at, "assessment", assessment))
    for decision in contact.decisions.select_related("decided_by", "policy_version"):
        entries.append(TimelineEntry(decision.decided_at, "decision", decision))
    for step in NextStep.objects.filter(contact=contact):
        entries.append(TimelineEntry(step.created_at, "next_step", step))
    order = {"cue": 0, "cue_dismissed": 1, "assessment": 2, "decision": 3, "next_step": 4}
    entries.sort(key=lambda entry: (entry.at, order[entry.kind], entry.item.pk))
    record(
        Operation.CONSULTATION,
        object_type="contact",
        object_id=contact.pk,
        fields=["assessments", "decisions", "cues", "next_steps"],
        purpose="triage timeline",
    )
    return entries
