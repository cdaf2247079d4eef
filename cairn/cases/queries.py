"""Reads for cases: a contact's case, the staff timeline, and what the person may read.

The staff timeline is a consultation of personal data: it is audited. The
person's view (the tracking page) holds public updates only, with no staff
names in it.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.cases.models import Case, CaseContact, CaseUpdate, Visibility
from cairn.cases.public_texts import public_text
from cairn.contacts.models import Contact

# Staff who work contacts or people read the whole timeline; other staff (an
# analyst, a partner user) read only what the person reads.
INTERNAL_READERS = (Capability.TRIAGE, Capability.VIEW_PEOPLE)


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
