"""Supervisor quality review: which decisions are sampled, and the review itself."""

import random

from django.utils import timezone

from cairn.triage.models import Decision, DecisionKind, QualityReview, ReviewReason

# One decision in ten at random, and every regrade.
RANDOM_SAMPLE_RATE = 0.10


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
