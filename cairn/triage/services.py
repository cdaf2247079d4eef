"""Writes for triage: claim a contact, raise and dismiss cues, assess it, decide, regrade.

Every function is one transaction holding the contact's row lock
(``SELECT … FOR UPDATE``), so two handlers acting on one contact take turns:
the second sees what the first did. Each writes its audit row and its domain
event; events carry codes and counts, never the public's words.
"""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.contacts.location_services import locate_contact
from cairn.contacts.models import Contact, Status
from cairn.events.services import record_event
from cairn.people.models import ContactMatch
from cairn.people.services import match_contact
from cairn.triage.cues import raise_cues
from cairn.triage.models import (
    THRIVE_DIMENSIONS,
    Assessment,
    Claim,
    Cue,
    CueCheck,
    CueStatus,
    Decision,
    Level,
)
from cairn.triage.policy import Policy, current_policy
from cairn.triage.queries import facts_for, latest_assessment


class TriageError(Exception):
    """A triage action refused for a reason the handler can act on; ``str()`` says it."""


class AlreadyClaimed(TriageError):
    def __init__(self, contact: Contact, handler: Any):
        self.handler = handler
        super().__init__(
            _("%(reference)s is already being assessed by %(name)s.")
            % {"reference": contact.reference, "name": handler}
        )


class NotClaimed(TriageError):
    def __init__(self, contact: Contact):
        super().__init__(
            _("Claim %(reference)s before you work on it.") % {"reference": contact.reference}
        )


class NotWaiting(TriageError):
    def __init__(self, contact: Contact):
        super().__init__(
            _("%(reference)s has already been decided: regrade it instead.")
            % {"reference": contact.reference}
        )


def _require_triage(user: Any) -> None:
    if not has_capability(user, Capability.TRIAGE):
        raise PermissionDenied


def _locked(contact: Contact) -> Contact:
    """The contact's row, locked until the transaction ends, as it is now."""
    return Contact.objects.select_for_update(of=("self",)).get(pk=contact.pk)


def _event(name: str, contact: Contact, data: Mapping[str, Any], **extra: Any) -> None:
    record_event(
        name,
        subject_type="contact",
        subject_id=contact.pk,
        division=contact.division_id or "",
        channel=contact.channel,
        data=data,
        **extra,
    )


def change_contact_status(contact: Contact, status: str, *, because: str) -> None:
    """Move the contact to ``status`` with its "contact.status_changed" event.

    The one place triage changes a contact's status. Call it inside the
    transaction of the action (``because`` names it) holding the row lock.
    """
    before = contact.status
    if before == status:
        return
    Contact.objects.filter(pk=contact.pk).update(status=status)
    contact.status = status
    _event("contact.status_changed", contact, {"from": before, "to": status, "because": because})


def _has_decision(contact: Contact) -> bool:
    return Decision.objects.filter(contact=contact).exists()


def _require_claim(contact: Contact, user: Any) -> Claim:
    claim = Claim.objects.select_related("handler").filter(contact=contact).first()
    if claim is None:
        raise NotClaimed(contact)
    if claim.handler_id != user.pk:
        raise AlreadyClaimed(contact, claim.handler)
    return claim


# Claims ------------------------------------------------------------------------------------


def claim_contact(contact: Contact, handler: Any) -> Claim:
    """Give ``handler`` the contact to work; exactly one of concurrent claimers wins.

    The loser waits on the row lock, then finds the winner's claim and gets
    AlreadyClaimed naming them (the unique contact of a Claim backs this up).
    Claiming again one's own claim returns it. The contact's cues are raised
    now if intake has not raised them, so the handler sees them.
    """
    _require_triage(handler)
    with transaction.atomic():
        contact = _locked(contact)
        existing = Claim.objects.select_related("handler").filter(contact=contact).first()
        if existing is not None:
            if existing.handler_id == handler.pk:
                return existing
            raise AlreadyClaimed(contact, existing.handler)
        if contact.status not in (Status.RECEIVED, Status.IN_ASSESSMENT) or _has_decision(contact):
            raise NotWaiting(contact)
        try:
            with transaction.atomic():
                claim = Claim.objects.create(
                    contact=contact, handler=handler, claimed_at=timezone.now()
                )
        except IntegrityError:
            holder = Claim.objects.select_related("handler").get(contact=contact).handler
            raise AlreadyClaimed(contact, holder) from None
        change_contact_status(contact, Status.IN_ASSESSMENT, because="claimed")
        record(
            Operation.ALTERATION,
            object_type="contact",
            object_id=contact.pk,
            fields=["triage_claim", "status"],
            actor=handler,
            purpose="triage",
        )
        _event("contact.claimed", contact, {"claim": claim.pk}, occurred_at=claim.claimed_at)
        raise_cues_for(contact)
    return claim


def release_claim(contact: Contact, user: Any) -> None:
    """Put an undecided contact back in the queue: its holder, or a supervisor, may."""
    _require_triage(user)
    with transaction.atomic():
        contact = _locked(contact)
        claim = Claim.objects.select_related("handler").filter(contact=contact).first()
        if claim is None:
            return
        if claim.handler_id != user.pk and not has_capability(user, Capability.REVIEW_TRIAGE):
            raise AlreadyClaimed(contact, claim.handler)
        claim.delete()
        if not _has_decision(contact):
            change_contact_status(contact, Status.RECEIVED, because="released")
        record(
            Operation.ALTERATION,
            object_type="contact",
            object_id=contact.pk,
            fields=["triage_claim", "status"],
            actor=user,
            purpose="triage",
        )
        _event("contact.released", contact, {"by_holder": claim.handler_id == user.pk})


# Cues --------------------------------------------------------------------------------------


def raise_cues_for(contact: Contact, policy: Policy | None = None) -> list[Cue]:
    """Store the cues the policy's rules raise on the contact; returns all its cues.

    Reads the narrative and answers, the markers of the person the reporter
    is (matching them first if that has not run yet), and counts recent
    contacts from that person and at the same place. A cue already stored
    (same kind and source) is kept as it is, dismissed or not.
    """
    policy = policy or current_policy()
    if not ContactMatch.objects.filter(contact=contact).exists():
        locate_contact(contact)
        match_contact(contact.pk)
    facts = facts_for(contact, latest_assessment(contact), policy)
    now = timezone.now()
    wanted = [
        Cue(
            contact=contact,
            kind=cue.kind,
            source=cue.source[:60],
            evidence=cue.evidence[:200],
            raised_at=now,
        )
        for cue in raise_cues(facts, policy)
    ]
    with transaction.atomic():
        known = set(Cue.objects.filter(contact=contact).values_list("kind", "source"))
        new = [cue for cue in wanted if (cue.kind, cue.source) not in known]
        Cue.objects.bulk_create(new, ignore_conflicts=True)
        if new:
            record(
                Operation.COMBINATION,
                object_type="contact",
                object_id=contact.pk,
                fields=sorted({"cues", *(cue.source for cue in new)}),
                purpose="triage cues",
                context={"recent_contacts": facts.recent_contacts_from_person},
            )
            _event("contact.cues_raised", contact, {"kinds": sorted({cue.kind for cue in new})})
        CueCheck.objects.bulk_create(
            [CueCheck(contact=contact, checked_at=now)],
            update_conflicts=True,
            unique_fields=["contact"],
            update_fields=["checked_at"],
        )
    return list(Cue.objects.filter(contact=contact).order_by("raised_at", "pk"))


PENDING_CUES_LOOK_BACK = timedelta(days=30)


def raise_pending_cues(limit: int = 100) -> int:
    """Run the cue rules over waiting contacts they have not run over yet, oldest first.

    The queue orders contacts by their cues, so cues must exist before anyone
    claims a contact. Intake does not raise them (it is one statement and the
    contacts app knows nothing of triage): this does, from the worker every
    minute and from the queue page before it is drawn, so a contact that
    arrives while handlers watch is ordered by its cues at once. Running it
    twice, or in two places at once, is harmless. Returns how many it checked.
    """
    pending = list(
        Contact.objects.filter(
            status=Status.RECEIVED,
            cue_check__isnull=True,
            received_at__gte=timezone.now() - PENDING_CUES_LOOK_BACK,
        ).order_by("received_at", "pk")[:limit]
    )
    policy = current_policy()
    for contact in pending:
        raise_cues_for(contact, policy)
    return len(pending)


def dismiss_cue(cue: Cue, user: Any, note: str) -> Cue:
    """Dismiss a raised cue; the note saying why is required."""
    _require_triage(user)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why you are dismissing this cue")})
    with transaction.atomic():
        contact = _locked(cue.contact)
        _require_claim(contact, user)
        cue = Cue.objects.select_for_update().get(pk=cue.pk)
        if cue.status != CueStatus.RAISED:
            raise ValidationError({"note": _("This cue has already been dismissed")})
        cue.status = CueStatus.DISMISSED
        cue.dismissed_by = user
        cue.dismissed_at = timezone.now()
        cue.dismissal_note = note
        cue.save(update_fields=["status", "dismissed_by", "dismissed_at", "dismissal_note"])
        record(
            Operation.ALTERATION,
            object_type="cue",
            object_id=cue.pk,
            fields=["status", "dismissal_note"],
            actor=user,
            purpose="triage",
            context={"contact": contact.pk},
        )
        _event("cue.dismissed", contact, {"kind": cue.kind})
    return cue


# THRIVE ------------------------------------------------------------------------------------


def _assessment_errors(levels_and_notes: Mapping[str, str], rationale: str) -> dict[str, str]:
    errors = {}
    for dimension in THRIVE_DIMENSIONS:
        name = dimension.capitalize()
        if levels_and_notes.get(dimension) not in Level.values:
            errors[dimension] = _("Choose a level for %(name)s") % {"name": name}
        if not (levels_and_notes.get(f"{dimension}_note") or "").strip():
            errors[f"{dimension}_note"] = _("Write a note for %(name)s") % {"name": name}
    if not (rationale or "").strip():
        errors["rationale"] = _("Write the rationale for the assessment")
    return errors


def assess_contact(
    contact: Contact, user: Any, levels_and_notes: Mapping[str, str], rationale: str
) -> Assessment:
    """Record a THRIVE assessment as the contact's next version; never overwrites.

    ``levels_and_notes`` maps each dimension ("threat" …) to a level and
    "<dimension>_note" to its note. All twelve and the rationale are
    required: ValidationError names each one missing. Only the claim holder
    may assess.
    """
    _require_triage(user)
    errors = _assessment_errors(levels_and_notes, rationale)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contact = _locked(contact)
        _require_claim(contact, user)
        last = Assessment.objects.filter(contact=contact).aggregate(last=Max("version"))["last"]
        values = {}
        for dimension in THRIVE_DIMENSIONS:
            values[dimension] = levels_and_notes[dimension]
            values[f"{dimension}_note"] = levels_and_notes[f"{dimension}_note"].strip()
        assessment = Assessment.objects.create(
            contact=contact,
            version=(last or 0) + 1,
            assessed_by=user,
            assessed_at=timezone.now(),
            rationale=rationale.strip(),
            **values,
        )
        record(
            Operation.COLLECTION,
            object_type="assessment",
            object_id=assessment.pk,
            fields=[*values, "rationale"],
            actor=user,
            purpose="triage",
            context={"contact": contact.pk, "version": assessment.version},
        )
        _event(
            "contact.assessed",
            contact,
            {"version": assessment.version, **assessment.levels()},
            occurred_at=assessment.assessed_at,
        )
    return assessment


# Decisions ---------------------------------------------------------------------------------
