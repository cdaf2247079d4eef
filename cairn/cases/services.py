"""Writes for cases: open, gather contacts, add updates, record a crime, assign, close.

Every function is one transaction holding the case's row lock, so two officers
acting on one case take turns. Each writes its audit row and its domain event
(subject "case"; events carry codes, ids and counts, never the public's words
or an update's text).

Who may act: the WORK_CASES capability (handlers, control room operators,
Resolution Team and local officers, supervisors).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cairn.accounts.models import Team
from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.cases.categories import incident_categories
from cairn.cases.models import (
    MAX_CLASSIFICATION_LENGTH,
    Case,
    CaseContact,
    CaseStatus,
    CaseUpdate,
    ClosureOutcome,
    UpdateKind,
    Visibility,
)
from cairn.cases.notifications import tell_the_person
from cairn.cases.writing import (  # the refusals are raised here too: callers import them here
    CaseClosed,  # noqa: F401
    CaseError,
    ContactInAnotherCase,
    audit_case,
    case_event,
    clean_update_text,
    locked_case,
    refresh_case,
    require_case_worker,
    require_open,
    write_update,
)
from cairn.contacts.models import Contact

# Opening and gathering -----------------------------------------------------------------------


def open_case(contact: Contact, *, category: str, actor: Any) -> Case:
    """The contact's case, opened now under ``category`` unless the contact already has one.

    Idempotent per contact: a second call (a retry, a second handler) returns the
    existing case and writes nothing. The contact's row lock makes two openings
    for one contact take turns.
    """
    require_case_worker(actor)
    if category not in incident_categories():
        raise ValidationError({"category": _("Choose a category from the list.")})
    with transaction.atomic():
        contact = Contact.objects.select_for_update(of=("self",)).get(pk=contact.pk)
        existing = CaseContact.objects.select_related("case").filter(contact=contact).first()
        if existing is not None:
            return existing.case
        case = Case(category=category, division_id=contact.division_id, opened_by=actor)
        case.save(force_insert=True)
        case.refresh_from_db(fields=["reference"])
        CaseContact.objects.create(case=case, contact=contact, added_by=actor)
        write_update(
            case,
            text_code="case_opened",
            visibility=Visibility.PUBLIC,
            kind=UpdateKind.STATUS,
            author=None,
        )
        audit_case(Operation.COLLECTION, case, ["category", "division", "contacts"], actor)
        case_event("case.opened", case, category=category)
        return case


def add_contact_to_case(case: Case, contact: Contact, *, actor: Any) -> CaseContact:
    """Gather ``contact`` into ``case``. Adding it again is harmless; another case's is refused."""
    require_case_worker(actor)
    with transaction.atomic():
        locked = locked_case(case)
        refresh_case(case, locked)
        contact = Contact.objects.select_for_update(of=("self",)).get(pk=contact.pk)
        existing = CaseContact.objects.select_related("case").filter(contact=contact).first()
        if existing is not None:
            if existing.case_id == case.pk:
                return existing
            raise ContactInAnotherCase(contact, existing.case)
        require_open(case)
        link = CaseContact.objects.create(case=case, contact=contact, added_by=actor)
        write_update(
            case,
            text=_("Contact %(reference)s added to the case.") % {"reference": contact.reference},
            visibility=Visibility.INTERNAL,
            kind=UpdateKind.CONTACT_ADDED,
            author=actor,
        )
        audit_case(Operation.ALTERATION, case, ["contacts"], actor, contact=contact.pk)
        case_event("case.contact_added", case, contact=contact.pk)
        return link


# Updates --------------------------------------------------------------------------------------


def add_update(case: Case, *, text: str, public: bool, actor: Any) -> CaseUpdate:
    """Add a note to the timeline; ``public`` shares it with the person on the tracking page."""
    require_case_worker(actor)
    cleaned = clean_update_text(text)
    with transaction.atomic():
        refresh_case(case, locked_case(case))
        require_open(case)
        visibility = Visibility.PUBLIC if public else Visibility.INTERNAL
        update = write_update(
            case, text=cleaned, visibility=visibility, kind=UpdateKind.NOTE, author=actor
        )
        audit_case(Operation.ALTERATION, case, ["updates"], actor, update=update.pk)
        case_event("case.updated", case, update=update.pk, kind=update.kind, visibility=visibility)
        if public:
            tell_the_person(case, template="case_updated", event_key=f"case-update:{update.pk}")
        return update


def record_crime(case: Case, *, classification: str, actor: Any) -> Case:
    """Record the case as a crime, directly, by the officer working it (no return to a division).

    Refused if a crime is already recorded: reclassifying is a different act.
    """
    require_case_worker(actor)
    classification = (classification or "").strip()
    if not classification:
        raise ValidationError({"classification": _("Give the crime classification.")})
    if len(classification) > MAX_CLASSIFICATION_LENGTH:
        raise ValidationError(
            {
                "classification": _("Keep the classification under %(max)d characters.")
                % {"max": MAX_CLASSIFICATION_LENGTH}
            }
        )
    with transaction.atomic():
        refresh_case(case, locked_case(case))
        require_open(case)
        if case.crime_classification is not None:
            raise CaseError(
                _("%(reference)s already has a crime recorded.") % {"reference": case.reference}
            )
        now = timezone.now()
        Case.objects.filter(pk=case.pk).update(
            crime_classification=classification, crime_recorded_at=now, crime_recorded_by=actor
        )
        case.crime_classification = classification
        case.crime_recorded_at = now
        case.crime_recorded_by = actor
        write_update(
            case,
            text=_("Crime recorded: %(classification)s.") % {"classification": classification},
            visibility=Visibility.INTERNAL,
            kind=UpdateKind.CRIME_RECORDED,
            author=actor,
        )
        public = write_update(
            case,
            text_code="crime_recorded",
            visibility=Visibility.PUBLIC,
            kind=UpdateKind.CRIME_RECORDED,
            author=None,
        )
        tell_the_person(case, template="case_updated", event_key=f"case-update:{public.pk}")
        audit_case(
            Operation.ALTERATION,
            case,
            ["crime_classification", "crime_recorded_at", "crime_recorded_by"],
            actor,
        )
        case_event("case.crime_recorded", case)
        return case


def assign(case: Case, *, team: Team | None = None, officer: Any = None, actor: Any) -> Case:
    """Give the case to a team, an officer, or both. An open case moves to "in progress"."""
    require_case_worker(actor)
    if team is None and officer is None:
        raise ValidationError(_("Choose a team or an officer."))
    if officer is not None and not getattr(officer, "is_active", False):
        raise ValidationError({"officer": _("Choose an officer whose account is active.")})
    with transaction.atomic():
        refresh_case(case, locked_case(case))
        require_open(case)
        changes: dict[str, Any] = {}
        if team is not None:
            changes["team"] = team
        if officer is not None:
            changes["officer"] = officer
        if case.status == CaseStatus.OPEN:
            changes["status"] = CaseStatus.IN_PROGRESS
        Case.objects.filter(pk=case.pk).update(**changes)
        for name, value in changes.items():
            setattr(case, name, value)
        owners = ", ".join(str(owner) for owner in (team, officer) if owner is not None)
        write_update(
            case,
            text=_("Assigned to %(owners)s.") % {"owners": owners},
            visibility=Visibility.INTERNAL,
            kind=UpdateKind.ASSIGNED,
            author=actor,
        )
        audit_case(Operation.ALTERATION, case, sorted(changes), actor)
        case_event(
            "case.assigned",
            case,
            team=getattr(team, "pk", None),
            officer=getattr(officer, "pk", None),
            status=case.status,
        )
        return case


def close_case(case: Case, *, outcome: str, public_message: str, actor: Any) -> Case:
    """Close the case with its outcome and a closing message the person reads.

    A closed case takes no more updates, contacts, assignments or crime recording.
    """
    require_case_worker(actor)
    if outcome not in ClosureOutcome.values:
        raise ValidationError({"outcome": _("Choose how the case ended.")})
    message = clean_update_text(public_message, field="public_message")
    with transaction.atomic():
        refresh_case(case, locked_case(case))
        require_open(case)
        now = timezone.now()
        Case.objects.filter(pk=case.pk).update(
            status=CaseStatus.CLOSED, outcome=outcome, closed_at=now, closed_by=actor
        )
        case.status, case.outcome, case.closed_at, case.closed_by = (
            CaseStatus.CLOSED,
            outcome,
            now,
            actor,
        )
        write_update(
            case, text=message, visibility=Visibility.PUBLIC, kind=UpdateKind.CLOSED, author=actor
        )
        audit_case(
            Operation.ALTERATION, case, ["status", "outcome", "closed_at", "closed_by"], actor
        )
        case_event("case.closed", case, outcome=outcome)
        tell_the_person(case, template="case_closed", event_key=f"case-closed:{case.pk}")
        return case


# The person's own words -----------------------------------------------------------------------


def record_message_from_person(contact: Contact, *, text: str) -> CaseUpdate:
    """New information or a reply the person sent from their tracking page.

    It goes on their case's timeline (visible to them as their own words) and
    onto the owning officer's worklist until an officer acknowledges it. The
    caller has checked the person may see ``contact`` (tracking code or link).
    Raises ``CaseError`` when the contact has no case and ``CaseClosed`` when
    the case is closed.
    """
    cleaned = clean_update_text(text)
    with transaction.atomic():
        link = CaseContact.objects.select_related("case").filter(contact_id=contact.pk).first()
        if link is None:
            raise CaseError(_("This report has no case to add to yet."))
        case = locked_case(link.case)
        require_open(case)
        update = write_update(
            case,
            text=cleaned,
            visibility=Visibility.PUBLIC,
            kind=UpdateKind.FROM_THE_PERSON,
            author=None,
        )
        if case.awaiting_reply_since is None:
            case.awaiting_reply_since = update.at
            case.save(update_fields=["awaiting_reply_since"])
        record(
            Operation.COLLECTION,
            object_type="case",
            object_id=case.pk,
            fields=["updates"],
            context={"update": update.pk, "from": "the person", "contact": contact.pk},
        )
        case_event("case.person_wrote", case, update=update.pk, contact=contact.pk)
        return update


def acknowledge_messages_from_person(case: Case, *, actor: Any) -> Case:
    """An officer has read what the person sent: it leaves the worklist."""
    require_case_worker(actor)
    with transaction.atomic():
        refresh_case(case, locked_case(case))
        if case.awaiting_reply_since is None:
            return case
        waited = timezone.now() - case.awaiting_reply_since
        Case.objects.filter(pk=case.pk).update(awaiting_reply_since=None)
        case.awaiting_reply_since = None
        audit_case(Operation.ALTERATION, case, ["awaiting_reply_since"], actor)
        case_event("case.person_answered", case, waited_seconds=int(waited.total_seconds()))
        return case
