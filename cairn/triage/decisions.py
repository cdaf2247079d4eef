"""Writes for triage decisions: decide, regrade, transfer, and the next step each creates.

Like every triage write (see ``cairn.triage.services``), each function is one
transaction holding the contact's row lock, writes its audit row and its
domain event, and carries codes, never the public's words, in the event.
"""

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.cases.categories import category_for_contact
from cairn.cases.services import open_case
from cairn.contacts.models import Contact, Status
from cairn.triage import review_services
from cairn.triage.engine import suggest
from cairn.triage.hand_offs import HandOff, hand_off
from cairn.triage.models import (
    Cue,
    CueStatus,
    Decision,
    DecisionKind,
    NextStep,
    NextStepKind,
    NextStepStatus,
)
from cairn.triage.policy import Policy, current_policy, remember_policy_version
from cairn.triage.queries import current_decision, facts_for, latest_assessment
from cairn.triage.services import (
    NotWaiting,
    _event,
    _has_decision,
    _locked,
    _require_claim,
    _require_triage,
    change_contact_status,
)

IMMEDIATE = "immediate"
MAX_DEPARTMENT = 80


def _check_response(policy: Policy, grade: str, pathway: str) -> None:
    if grade not in policy.grades:
        raise ValidationError({"grade": _("Choose a response")})
    if pathway not in policy.grades[grade].pathways or pathway not in policy.pathways:
        raise ValidationError(
            {
                "pathway": _("%(pathway)s is not a pathway of %(grade)s")
                % {"pathway": pathway, "grade": policy.grades[grade].label}
            }
        )


def _response_label(policy: Policy, grade: str, pathway: str) -> str:
    return f"{policy.grades[grade].label} – {policy.pathways[pathway].label}"


def _record_decision(
    contact: Contact,
    user: Any,
    *,
    kind: str,
    grade: str,
    pathway: str,
    rationale: str,
    department: str = "",
) -> Decision:
    """The decision, its next step, the old step cancelled, review sampling, audit, event.

    Runs inside the caller's transaction holding the contact's lock.
    """
    policy = current_policy()
    _check_response(policy, grade, pathway)
    assessment = latest_assessment(contact)
    if assessment is None:
        raise ValidationError({"assessment": _("Complete the THRIVE assessment first")})
    suggestion = suggest(facts_for(contact, assessment, policy), policy)
    follows = (grade, pathway) == (suggestion.grade, suggestion.pathway)
    if not follows and not rationale:
        raise ValidationError(
            {
                "rationale": _(
                    "You chose %(chosen)s, not the suggested %(suggested)s: "
                    "give a rationale for choosing differently"
                )
                % {
                    "chosen": _response_label(policy, grade, pathway),
                    "suggested": _response_label(policy, suggestion.grade, suggestion.pathway),
                }
            }
        )
    previous = current_decision(contact)
    decision = Decision.objects.create(
        contact=contact,
        assessment=assessment,
        kind=kind,
        supersedes=previous if kind != DecisionKind.INITIAL else None,
        grade=grade,
        pathway=pathway,
        suggested_grade=suggestion.grade,
        suggested_pathway=suggestion.pathway,
        suggestion_rule=suggestion.rule[:80],
        explanation=suggestion.explanation,
        follows_suggestion=follows,
        rationale=rationale,
        department=department,
        policy_version=remember_policy_version(policy),
        decided_by=user,
        decided_at=timezone.now(),
    )
    if previous is not None:
        NextStep.objects.filter(decision=previous, status=NextStepStatus.OPEN).update(
            status=NextStepStatus.CANCELLED
        )
    step = _create_next_step(decision, policy)
    case = None
    if step.kind in NEEDS_A_CASE:
        case = open_case(contact, category=case_category_for(contact), actor=user)
    hand_off(
        HandOff(
            contact=contact,
            case=case,
            kind=step.kind,
            grade=grade,
            pathway=pathway,
            actor=user,
            cues=_raised_cue_labels(contact, policy),
        )
    )
    _ensure_immediate_has_next_step(decision)
    review_services.consider_for_review(decision)
    record(
        Operation.COLLECTION,
        object_type="decision",
        object_id=decision.pk,
        fields=["grade", "pathway", "rationale", "department", "next_step"],
        actor=user,
        purpose="triage",
        context={"contact": contact.pk, "kind": kind, "supersedes": previous and previous.pk},
    )
    name = {
        DecisionKind.INITIAL: "contact.decided",
        DecisionKind.REGRADE: "contact.regraded",
        DecisionKind.TRANSFER: "contact.transferred",
    }[kind]
    _event(
        name,
        contact,
        {
            "grade": grade,
            "pathway": pathway,
            "follows_suggestion": follows,
            "suggested_grade": suggestion.grade,
            "suggested_pathway": suggestion.pathway,
            "rule": decision.suggestion_rule,
            "policy_version": decision.policy_version.digest,
            "next_step": step.kind,
            "previous_grade": previous.grade if previous else None,
            "transferred": bool(department),
            "has_rationale": bool(rationale),
        },
        occurred_at=decision.decided_at,
    )
    return decision


# The next steps that are police work on an incident or crime: they need a case
# (its timeline is what the person follows). Advice and no further action do not.
GENERAL_CATEGORY = "enquiry.general"
NEEDS_A_CASE = frozenset(
    {
        NextStepKind.DISPATCH_REQUEST,
        NextStepKind.APPOINTMENT_TO_BOOK,
        NextStepKind.RESOLUTION_TASK,
        NextStepKind.REFERRAL,
    }
)


def _raised_cue_labels(contact: Contact, policy: Policy) -> tuple[str, ...]:
    kinds = Cue.objects.filter(contact=contact, status=CueStatus.RAISED).values_list(
        "kind", flat=True
    )
    return tuple(
        str(policy.cue_kinds[kind].label) if kind in policy.cue_kinds else kind for kind in kinds
    )


def case_category_for(contact: Contact) -> str:
    """The case category the contact's own category maps to (policy), else a general enquiry."""
    return category_for_contact(contact.category) or GENERAL_CATEGORY


def _create_next_step(decision: Decision, policy: Policy) -> NextStep:
    """The work the decision creates: the pathway's next step, due when the grade says."""
    kind = policy.pathways[decision.pathway].next_step
    if kind not in NextStepKind.values:
        raise ValidationError(
            {"pathway": _("The policy gives this pathway no next step Cairn knows")}
        )
    minutes = policy.grades[decision.grade].review_after_minutes
    details = {"grade": decision.grade, "pathway": decision.pathway}
    if decision.department:
        details["department"] = decision.department
    return NextStep.objects.create(
        decision=decision,
        contact_id=decision.contact_id,
        kind=kind,
        details=details,
        created_at=decision.decided_at,
        due_by=decision.decided_at + timedelta(minutes=minutes) if minutes else None,
    )


def _ensure_immediate_has_next_step(decision: Decision) -> None:
    """An Immediate decision is never left without open work: refuse the transaction if so."""
    if decision.grade != IMMEDIATE:
        return
    if not NextStep.objects.filter(decision=decision, status=NextStepStatus.OPEN).exists():
        raise IntegrityError(f"immediate decision {decision.pk} has no open next step")


def decide(contact: Contact, user: Any, grade: str, pathway: str, rationale: str = "") -> Decision:
    """The handler's CAM decision: a grade and a pathway, with the next step it creates.

    Choosing other than the engine's suggestion needs a rationale. The claim
    ends and the contact leaves the queue (status "assessed").
    """
    _require_triage(user)
    with transaction.atomic():
        contact = _locked(contact)
        if _has_decision(contact):
            raise NotWaiting(contact)
        claim = _require_claim(contact, user)
        decision = _record_decision(
            contact,
            user,
            kind=DecisionKind.INITIAL,
            grade=grade,
            pathway=pathway,
            rationale=(rationale or "").strip(),
        )
        claim.delete()
        change_contact_status(contact, Status.ASSESSED, because="decided")
    return decision


def _require_decided(contact: Contact, rationale: str) -> Decision:
    previous = current_decision(contact)
    if previous is None:
        raise ValidationError({"grade": _("There is no decision to change yet")})
    if not rationale:
        raise ValidationError({"rationale": _("Give a rationale for changing the decision")})
    return previous


def regrade(contact: Contact, user: Any, grade: str, pathway: str, rationale: str) -> Decision:
    """Change the decision's response; a rationale is always required.

    The new decision supersedes the last; the last one's next step is
    cancelled and the new response's one created.
    """
    _require_triage(user)
    rationale = (rationale or "").strip()
    with transaction.atomic():
        contact = _locked(contact)
        previous = _require_decided(contact, rationale)
        if (previous.grade, previous.pathway) == (grade, pathway):
            raise ValidationError({"grade": _("Choose a response different from the current one")})
        return _record_decision(
            contact,
            user,
            kind=DecisionKind.REGRADE,
            grade=grade,
            pathway=pathway,
            rationale=rationale,
        )


def transfer(contact: Contact, user: Any, department: str, rationale: str) -> Decision:
    """Hand the contact to another department with the same response; rationale required."""
    _require_triage(user)
    rationale = (rationale or "").strip()
    department = (department or "").strip()
    if not department:
        raise ValidationError({"department": _("Say which department takes it")})
    if len(department) > MAX_DEPARTMENT:
        raise ValidationError(
            {"department": _("Keep it to %(count)s characters") % {"count": MAX_DEPARTMENT}}
        )
    with transaction.atomic():
        contact = _locked(contact)
        previous = _require_decided(contact, rationale)
        return _record_decision(
            contact,
            user,
            kind=DecisionKind.TRANSFER,
            grade=previous.grade,
            pathway=previous.pathway,
            rationale=rationale,
            department=department,
        )
