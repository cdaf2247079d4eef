"""Reads for cases: a contact's case, the staff timeline, and what the person may read.

The staff timeline is a consultation of personal data: it is audited. The
person's view (the tracking page) holds public updates only, with no staff
names in it.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.cases.models import (
    Case,
    CaseContact,
    CaseHandOn,
    CaseStatus,
    CaseUpdate,
    ClosureOutcome,
    Visibility,
)
from cairn.cases.public_texts import public_text
from cairn.cases.resolution_teams import resolution_team_q
from cairn.contacts.models import Contact

# Staff who work contacts or people read the whole timeline; other staff (an
# analyst, a partner user) read only what the person reads.
INTERNAL_READERS = (Capability.TRIAGE, Capability.VIEW_PEOPLE)
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    visibility: str
    text: str
    author: str  # the member of staff's name, or "" for the system


@dataclass(frozen=True)
class PublicUpdate:
    at: datetime
    kind: str
    text: str


def case_for_contact(contact: Contact) -> Case | None:
    link = CaseContact.objects.select_related("case").filter(contact_id=contact.pk).first()
    return link.case if link else None


def sees_internal_updates(user: Any) -> bool:
    return any(has_capability(user, capability) for capability in INTERNAL_READERS)


def case_timeline(case: Case, *, user: Any) -> list[TimelineEntry]:
    """The case's updates, oldest first, for a member of staff; audited as a consultation.

    Internal updates only for staff who work contacts or people.
    """
    if not has_capability(user, Capability.USE_WORKSPACE):
        raise PermissionDenied
    internal = sees_internal_updates(user)
    updates = CaseUpdate.objects.filter(case=case).select_related("author")
    if not internal:
        updates = updates.filter(visibility=Visibility.PUBLIC)
    entries = [
        TimelineEntry(
            at=update.at,
            kind=update.kind,
            visibility=update.visibility,
            text=update.text,
            author=str(update.author) if update.author else "",
        )
        for update in updates
    ]
    record(
        Operation.CONSULTATION,
        object_type="case",
        object_id=case.pk,
        fields=["updates"],
        actor=user,
        context={"updates": len(entries), "internal": internal},
    )
    return entries


def public_updates_for_contact(contact: Contact) -> list[PublicUpdate]:
    """What the person reads on the tracking page: their case's public updates, oldest first.

    Nothing internal and no names of staff; empty when the contact has no case.
    """
    updates = CaseUpdate.objects.filter(
        case__case_contacts__contact_id=contact.pk, visibility=Visibility.PUBLIC
    ).only("at", "kind", "text", "text_code")
    return [
        PublicUpdate(
            at=update.at, kind=update.kind, text=public_text(update.text_code, update.text)
        )
        for update in updates
    ]


# The case page's contacts -----------------------------------------------------------------------

CONTACT_FIELDS_ON_CASE = (
    "reference",
    "channel",
    "received_at",
    "narrative",
    "reporter_name",
    "reporter_email",
    "reporter_phone",
    "address_text",
    "postcode",
    "division",
)


def contacts_of_case(case: Case, *, user: Any) -> list[Contact]:
    """The contacts gathered into the case, oldest first, for an officer working it.

    One audit consultation row per contact shown (what the person told us,
    how to reach them).
    """
    if not has_capability(user, Capability.WORK_CASES):
        raise PermissionDenied
    contacts = list(
        Contact.objects.filter(case_link__case=case)
        .select_related("division")
        .order_by("case_link__added_at", "pk")
    )
    for contact in contacts:
        record(
            Operation.CONSULTATION,
            object_type="contact",
            object_id=contact.pk,
            fields=CONTACT_FIELDS_ON_CASE,
            actor=user,
            purpose="case",
            context={"case": case.pk},
        )
    return contacts


# Resolved in entirety (HMICS area for development) ----------------------------------------------


@dataclass(frozen=True)
class ResolvedInEntirety:
    start: date
    end: date  # inclusive
    division: str | None
    closed_by_resolution_teams: int  # cases closed while a Resolution Team owned them
    resolved_in_entirety: int  # of which: resolved by the team, never handed on outside it

    @property
    def rate(self) -> float | None:
        if not self.closed_by_resolution_teams:
            return None
        return self.resolved_in_entirety / self.closed_by_resolution_teams


def _london_day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


def resolved_in_entirety(
    period: tuple[date, date], division: str | None = None
) -> ResolvedInEntirety:
    """How many cases the Resolution Teams closed in ``period`` (London dates, inclusive), and
    how many of those they resolved in entirety: closed as "resolved by the Resolution Team"
    and never handed on outside the Resolution Teams. Counts only: no personal data.
    """
    start, end = period
    closed = Case.objects.filter(
        resolution_team_q(),
        status=CaseStatus.CLOSED,
        closed_at__gte=_london_day_start(start),
        closed_at__lt=_london_day_start(end + timedelta(days=1)),
    )
    if division:
        closed = closed.filter(division_id=division)
    left = CaseHandOn.objects.filter(case=OuterRef("pk"), left_resolution_teams=True)
    counts = closed.aggregate(
        closed=Count("pk"),
        resolved=Count(
            "pk",
            filter=Q(outcome=ClosureOutcome.RESOLVED_BY_RESOLUTION_TEAM) & ~Exists(left),
        ),
    )
    return ResolvedInEntirety(
        start=start,
        end=end,
        division=division,
        closed_by_resolution_teams=counts["closed"],
        resolved_in_entirety=counts["resolved"],
    )
