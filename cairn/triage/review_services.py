"""Supervisor quality review: which decisions are sampled, the review itself, its feedback.

A decision is sampled when it is made (``consider_for_review``, in the
decision's transaction): every regrade, and one in ten of the rest at random.
A supervisor then records the review once (``record_review``): three
structured questions, an overall outcome and feedback to the handler, who
reads it on their "My feedback" page (``mark_feedback_read``). The outcomes
feed the quality measure (``review_queries.quality_measure``) and the
"triage.reviewed" domain event, which carries the outcome codes and never
the feedback's words.
"""

import random
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.events.services import record_event
from cairn.triage.models import (
    Decision,
    DecisionKind,
    QualityReview,
    ReviewOutcome,
    ReviewReason,
)

# One decision in ten at random, and every regrade.
RANDOM_SAMPLE_RATE = 0.10

# The review's answers, each one of ReviewOutcome, then the feedback text.
REVIEW_QUESTIONS = ("thrive_complete", "grade_appropriate", "rationale_clear", "outcome")
REVIEW_FIELDS = (*REVIEW_QUESTIONS, "feedback")
MAX_FEEDBACK = 5_000


def consider_for_review(decision: Decision, *, draw: float | None = None) -> QualityReview | None:
    """Select ``decision`` for review when it is a regrade or falls in the random sample.

    Call it in the transaction that makes the decision. ``draw`` (0 to 1) is
    for tests; otherwise a random number decides.
    """
    if decision.kind == DecisionKind.REGRADE:
        reason = ReviewReason.REGRADE
    elif (random.random() if draw is None else draw) < RANDOM_SAMPLE_RATE:
        reason = ReviewReason.RANDOM
    else:
        return None
    return QualityReview.objects.create(
        decision=decision, reason=reason, selected_at=timezone.now()
    )


def _missing_or_invalid(answers: dict[str, str]) -> dict[str, str]:
    """Field name -> what is wrong with it, for every answer missing or not allowed."""
    errors: dict[str, str] = {}
    for name in REVIEW_QUESTIONS:
        value = answers[name]
        if not value:
            errors[name] = _("Answer this question")
        elif value not in ReviewOutcome.values:
            errors[name] = _("Choose one of the answers given")
    feedback = answers["feedback"]
    if not feedback.strip():
        errors["feedback"] = _("Write feedback for the handler")
    elif len(feedback) > MAX_FEEDBACK:
        errors["feedback"] = _("Keep the feedback to %(limit)s characters") % {
            "limit": MAX_FEEDBACK
        }
    elif "\x00" in feedback:
        errors["feedback"] = _("The feedback cannot contain NUL characters")
    return errors


def may_review(review: QualityReview, reviewer: Any) -> bool:
    """Whether ``reviewer`` may review it: a supervisor who neither decided nor assessed it."""
    if not has_capability(reviewer, Capability.REVIEW_TRIAGE):
        return False
    decision = review.decision
    return reviewer.pk not in (decision.decided_by_id, decision.assessment.assessed_by_id)


def record_review(
    review: QualityReview,
    reviewer: Any,
    *,
    thrive_complete: str,
    grade_appropriate: str,
    rationale_clear: str,
    outcome: str,
    feedback: str,
) -> QualityReview:
    """Record a supervisor's review of a sampled decision, once.

    Refuses with PermissionDenied a user without the review capability, and
    with ValidationError: missing or unknown answers (a dict naming every such
    field), the reviewer's own decision or assessment (code "own_decision") and
    a review already recorded (code "already_reviewed", also when another
    supervisor got there a moment before). Writes nothing when it refuses.
    """
    if not has_capability(reviewer, Capability.REVIEW_TRIAGE):
        raise PermissionDenied
    answers = {
        "thrive_complete": thrive_complete or "",
        "grade_appropriate": grade_appropriate or "",
        "rationale_clear": rationale_clear or "",
        "outcome": outcome or "",
        "feedback": (feedback or "").replace("\r\n", "\n").strip(),
    }
    errors = _missing_or_invalid(answers)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        review = (
            QualityReview.objects.select_for_update(of=("self",))
            .select_related("decision__assessment", "decision__contact")
            .get(pk=review.pk)
        )
        if review.reviewed_at is not None:
            raise ValidationError(
                _("This decision has already been reviewed."), code="already_reviewed"
            )
        if not may_review(review, reviewer):
            raise ValidationError(
                _("You made this decision or its assessment: another supervisor must review it."),
                code="own_decision",
            )
        now = timezone.now()
        for name, value in answers.items():
            setattr(review, name, value)
        review.reviewer = reviewer
        review.reviewed_at = now
        review.save(update_fields=[*REVIEW_FIELDS, "reviewer", "reviewed_at"])
        _record_reviewed(review, reviewer)
    return review


def _record_reviewed(review: QualityReview, reviewer: Any) -> None:
    decision = review.decision
    contact = decision.contact
    record(
        Operation.ALTERATION,
        object_type="quality_review",
        object_id=review.pk,
        fields=[*REVIEW_FIELDS, "reviewer", "reviewed_at"],
        actor=reviewer,
        purpose="quality review",
        context={"decision": decision.pk, "contact": contact.pk},
    )
    record_event(
        "triage.reviewed",
        subject_type="decision",
        subject_id=decision.pk,
        occurred_at=review.reviewed_at,
        division=contact.division_id or "",
        channel=contact.channel,
        data={
            "reason": review.reason,
            "outcome": review.outcome,
            "thrive_complete": review.thrive_complete,
            "grade_appropriate": review.grade_appropriate,
            "rationale_clear": review.rationale_clear,
            "decision_kind": decision.kind,
            "grade": decision.grade,
            "pathway": decision.pathway,
            "follows_suggestion": decision.follows_suggestion,
            "seconds_waiting": round((review.reviewed_at - review.selected_at).total_seconds()),
        },
    )


def mark_feedback_read(review: QualityReview, handler: Any) -> bool:
    """Note that the handler whose decision was reviewed has read the feedback.

    Only that handler may; a second call changes nothing. Returns whether
    this call marked it.
    """
    if review.decision.decided_by_id != getattr(handler, "pk", None):
        raise PermissionDenied
    if review.reviewed_at is None:
        raise ValidationError(_("This decision has not been reviewed yet."), code="not_reviewed")
    with transaction.atomic():
        now = timezone.now()
        marked = QualityReview.objects.filter(pk=review.pk, feedback_read_at__isnull=True).update(
            feedback_read_at=now
        )
        if not marked:
            return False
        review.feedback_read_at = now
        record(
            Operation.ALTERATION,
            object_type="quality_review",
            object_id=review.pk,
            fields=["feedback_read_at"],
            actor=handler,
            purpose="quality review feedback",
        )
    return True
