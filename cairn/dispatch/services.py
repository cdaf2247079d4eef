"""Writes for the hand-off: raise an incident for command and control, retry a failed one.

Each function is one transaction: the change, its case timeline entries, its
audit row, its domain event and the connector task (deferred in the same
transaction, so a rolled-back decision sends nothing and a committed one is
always sent). Events carry codes, ids and counts, never the public's words.

Status reports back (from command and control or the board) are in
``cairn.dispatch.status``; the post itself is ``cairn.dispatch.connector``.
"""

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.cases.models import Case, CaseContact, CaseUpdate, UpdateKind, Visibility
from cairn.cases.notifications import tell_the_person
from cairn.cases.writing import write_update
from cairn.contacts.models import Contact
from cairn.dispatch.eido import build_eido
from cairn.dispatch.facts import incident_facts
from cairn.dispatch.models import DispatchIncident, Grade, IncidentStatus
from cairn.events.services import record_event

# Who may raise an incident: the handler who decided (triage), a control room
# operator or supervisor at the board. Who may retry: the board's users.
RAISE_CAPABILITIES = (Capability.TRIAGE, Capability.DISPATCH)

# The standard public sentence (cases.public_texts code "dispatch_raised").
RAISED_TEXT_CODE = "dispatch_raised"
RAISED_TEXT = "We have passed your report to officers to attend."


class DispatchError(Exception):
    """A dispatch action refused for a reason the operator can act on; ``str()`` says it."""


def _require(actor: Any, capabilities: Sequence[Capability]) -> None:
    if not any(has_capability(actor, capability) for capability in capabilities):
        raise PermissionDenied


def audit(operation: Operation, incident: DispatchIncident, fields, actor: Any = None, **context):
    record(
        operation,
        object_type="dispatch_incident",
        object_id=incident.pk,
        fields=fields,
        actor=actor,
        context=context,
    )


def event(name: str, incident: DispatchIncident, **data: Any) -> None:
    record_event(
        name,
        subject_type="dispatch_incident",
        subject_id=incident.pk,
        division=incident.division_id or "",
        data={"case": incident.case_id, "contact": incident.contact_id, **data},
    )


def write_case_update(
    case: Case, *, text: str, visibility: str, author: Any = None, text_code: str = ""
) -> CaseUpdate:
    """Append a "command and control" entry to the case timeline (public ones tell the person)."""
    update = write_update(
        case,
        text=text,
        text_code=text_code,
        visibility=visibility,
        kind=UpdateKind.DISPATCH,
        author=author,
    )
    if visibility == Visibility.PUBLIC:
        tell_the_person(case, template="case_updated", event_key=f"case-update:{update.pk}")
    return update


def minutes_since_raised(incident: DispatchIncident, at=None) -> float:
    return round(((at or timezone.now()) - incident.raised_at).total_seconds() / 60, 1)


def defer_send(incident: DispatchIncident) -> None:
    from cairn.dispatch.tasks import send_incident

    send_incident.defer(incident_id=incident.pk)


def raise_incident(
    case: Case,
    contact: Contact,
    *,
    grade: str,
    pathway: str,
    actor: Any,
    cues: Sequence[str] | None = None,
) -> DispatchIncident:
    """Hand ``contact`` (gathered into ``case``) to command and control as an EIDO incident.

    Idempotent per contact: a second call (a retry, a second click) returns the
    incident already raised and writes nothing. ``cues``: the cues raised, as the
    policy labels them (the triage caller knows them); read from the contact
    when not given. The post happens after commit, in the connector task.
    """
    _require(actor, RAISE_CAPABILITIES)
    if grade not in Grade.values:
        raise ValidationError({"grade": _("Only Immediate and Prompt contacts are dispatched.")})
    with transaction.atomic():
        contact = Contact.objects.select_for_update(of=("self",)).get(pk=contact.pk)
        existing = DispatchIncident.objects.filter(contact=contact).first()
        if existing is not None:
            return existing
        if not CaseContact.objects.filter(case_id=case.pk, contact_id=contact.pk).exists():
            raise ValidationError(_("The contact is not part of this case."))
        now = timezone.now()
        document = build_eido(
            incident_facts(case, contact, grade=grade, pathway=pathway, decided_at=now, cues=cues)
        )
        incident = DispatchIncident(
            case=case,
            contact=contact,
            grade=grade,
            pathway=pathway,
            category=case.category,
            division_id=case.division_id or contact.division_id,
            eido_id=document["$id"],
            document=document,
            raised_at=now,
            raised_by=actor if getattr(actor, "pk", None) else None,
        )
        incident.save(force_insert=True)
        write_case_update(
            case,
            text=_("Passed to command and control, graded %(grade)s (%(reference)s).")
            % {"grade": Grade(grade).label, "reference": contact.reference},
            visibility=Visibility.INTERNAL,
            author=actor,
        )
        write_case_update(
            case, text=RAISED_TEXT, text_code=RAISED_TEXT_CODE, visibility=Visibility.PUBLIC
        )
        audit(
            Operation.COLLECTION,
            incident,
            ["document", "grade", "pathway", "status"],
            actor,
            contact=contact.pk,
        )
        event("dispatch.raised", incident, grade=grade, pathway=pathway, category=case.category)
        defer_send(incident)
        return incident


def retry_handoff(incident: DispatchIncident, *, actor: Any) -> DispatchIncident:
    """Try a failed hand-off again: the attempts start again from nought (the board's button)."""
    _require(actor, (Capability.DISPATCH,))
    with transaction.atomic():
        locked = DispatchIncident.objects.select_for_update().get(pk=incident.pk)
        if locked.status != IncidentStatus.FAILED:
            raise DispatchError(
                _("Only a failed hand-off can be tried again; this one is %(status)s.")
                % {"status": locked.get_status_display().lower()}
            )
        previous = locked.attempts
        locked.status, locked.attempts, locked.failed_at = IncidentStatus.PENDING, 0, None
        locked.save(update_fields=["status", "attempts", "failed_at"])
        write_case_update(
            locked.case,
            text=_("Hand-off to command and control tried again by the board."),
            visibility=Visibility.INTERNAL,
            author=actor,
        )
        audit(Operation.ALTERATION, locked, ["status", "attempts"], actor)
        event("dispatch.retry_requested", locked, previous_attempts=previous)
        defer_send(locked)
        return locked
