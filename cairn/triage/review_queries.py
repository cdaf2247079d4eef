"""Reads for supervisor quality review: what waits, one review in full, feedback, the measure.

Functions that return personal data take ``user`` and give nothing to a user
without the capability; reads that show a contact are audited as
consultations. ``quality_measure`` returns counts only (no personal data):
it is the figure the performance framework reads.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.triage.models import (
    Assessment,
    Cue,
    Decision,
    PolicyVersion,
    QualityReview,
    ReviewOutcome,
    ReviewReason,
)
from cairn.triage.policy import diff_policy_versions
from cairn.triage.review_services import REVIEW_QUESTIONS, may_review

# What the review page shows of a contact (names only: the audit row lists them).
# No reporter identity: judging the assessment does not need it.
SHOWN_FOR_REVIEW = [
    "reference",
    "channel",
    "category",
    "received_at",
    "language",
    "narrative",
    "address_text",
    "postcode",
    "division",
]
FEEDBACK_LIMIT = 100


def may_review_triage(user: Any) -> bool:
    return has_capability(user, Capability.REVIEW_TRIAGE)


def _with_decision():
    return QualityReview.objects.select_related(
        "decision__assessment", "decision__contact", "decision__decided_by"
    )


# What waits --------------------------------------------------------------------------------


def reviews_waiting(user: Any) -> list[QualityReview]:
    """The sampled decisions not yet reviewed, oldest first, in one query. Audited.

    Each comes with its decision, the decision's assessment, contact, policy
    version and handler. Leaves out what ``user`` decided or assessed: they
    may not review it. Nothing for a user without the review capability.
    """
    if not may_review_triage(user):
        return []
    reviews = list(
        _with_decision()
        .filter(reviewed_at__isnull=True)
        .exclude(decision__decided_by=user)
        .exclude(decision__assessment__assessed_by=user)
        .defer(
            "decision__contact__narrative",
            "decision__contact__answers",
            "decision__contact__reporter_details",
            "decision__contact__tracking_secret_hash",
        )
        .order_by("selected_at", "pk")
    )
    record(
        Operation.CONSULTATION,
        object_type="quality_review_queue",
        fields=["reference", "category", "grade", "pathway", "handler"],
        actor=user,
        purpose="quality review",
        context={"results": len(reviews)},
    )
    return reviews


# One review --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewDetail:
    """Everything the review page shows: the contact, its assessment, cues and decision."""

    review: QualityReview
    decision: Decision
    assessment: Assessment
    cues: list[Cue]
    may_review: bool  # False for the handler's own decision, or once it is reviewed

    @property
    def contact(self):
        return self.decision.contact

    @property
    def handler(self):
        return self.decision.decided_by


def review_detail(review_id: int, user: Any) -> ReviewDetail | None:
    """One sampled decision with all a supervisor needs to judge it; None when missing or not
    for this user. Audited as a consultation of the contact's fields the page shows."""
    if not may_review_triage(user):
        return None
    review = (
        _with_decision()
        .select_related(
            "decision__assessment__assessed_by",
            "decision__contact__division",
            "decision__policy_version",
            "decision__supersedes",
            "reviewer",
        )
        .defer("decision__policy_version__text")
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        return None
    decision = review.decision
    cues = list(decision.contact.cues.select_related("dismissed_by").order_by("raised_at", "pk"))
    record(
        Operation.CONSULTATION,
        object_type="contact",
        object_id=decision.contact_id,
        fields=[*SHOWN_FOR_REVIEW, "assessments", "decisions", "cues"],
        actor=user,
        purpose="quality review",
        context={"quality_review": review.pk},
    )
    return ReviewDetail(
        review=review,
        decision=decision,
        assessment=decision.assessment,
        cues=cues,
        may_review=review.reviewed_at is None and may_review(review, user),
    )


def feedback_for(handler: Any) -> list[QualityReview]:
    """The handler's reviewed decisions with the feedback, newest first. Audited."""
    if not getattr(handler, "is_authenticated", False):
        return []
    reviews = list(
        QualityReview.objects.select_related("decision__contact", "reviewer")
        .only(
            *REVIEW_QUESTIONS,
            "reason",
            "selected_at",
            "reviewed_at",
            "feedback",
            "feedback_read_at",
            "reviewer__first_name",
            "reviewer__last_name",
            "reviewer__username",
            "decision__kind",
            "decision__grade",
            "decision__pathway",
            "decision__decided_at",
            "decision__decided_by_id",
            "decision__contact__reference",
            "decision__contact__category",
        )
        .filter(decision__decided_by=handler, reviewed_at__isnull=False)
        .exclude(feedback="")
        .order_by("-reviewed_at", "-pk")[:FEEDBACK_LIMIT]
    )
    record(
        Operation.CONSULTATION,
        object_type="quality_review_feedback",
        fields=["reference", "category", "grade", "pathway", "review", "feedback"],
        actor=handler,
        purpose="quality review feedback",
        context={"results": len(reviews)},
    )
    return reviews


# The quality measure -----------------------------------------------------------------------

OUTCOMES = tuple(ReviewOutcome.values)


@dataclass(frozen=True)
class OutcomeCounts:
    """How many reviews had each outcome, of ``total``."""

    label: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def rate(self, outcome: str) -> float | None:
        """The share of reviews with ``outcome`` (0 to 1); None when nothing was reviewed."""
        return self.counts[outcome] / self.total if self.total else None

    def rows(self) -> list[tuple[str, str, int, float | None]]:
        """(outcome code, label, count, rate) in the order of ReviewOutcome."""
        return [
            (code, str(ReviewOutcome(code).label), self.counts[code], self.rate(code))
            for code in OUTCOMES
        ]


@dataclass(frozen=True)
class QualityMeasure:
    """Reviews recorded in [since, until): the overall outcome, by reason and by question."""

    since: datetime
    until: datetime
    division: str | None
    overall: OutcomeCounts
    by_reason: dict[str, OutcomeCounts] = field(default_factory=dict)
    by_question: dict[str, OutcomeCounts] = field(default_factory=dict)
    waiting: int = 0  # sampled in the period, not reviewed yet


QUESTION_LABELS = {
    "thrive_complete": gettext_lazy("THRIVE assessment complete"),
    "grade_appropriate": gettext_lazy("Grade and pathway appropriate"),
    "rationale_clear": gettext_lazy("Rationale clear"),
}


def quality_measure(
    since: datetime, until: datetime, division: str | None = None
) -> QualityMeasure:
    """Counts and rates of review outcomes for reviews recorded from ``since`` until before
    ``until`` (aware datetimes), optionally for one division's contacts, in one query."""
    reviews = QualityReview.objects.all()
    if division:
        reviews = reviews.filter(decision__contact__division_id=division)
    reviewed = Q(reviewed_at__gte=since, reviewed_at__lt=until)
    aggregates: dict[str, Any] = {
        "waiting": Count(
            "pk", filter=Q(reviewed_at__isnull=True, selected_at__gte=since, selected_at__lt=until)
        )
    }
    for outcome in OUTCOMES:
        aggregates[f"outcome:{outcome}"] = Count("pk", filter=reviewed & Q(outcome=outcome))
        for reason in ReviewReason.values:
            aggregates[f"reason:{reason}:{outcome}"] = Count(
                "pk", filter=reviewed & Q(reason=reason, outcome=outcome)
            )
        for question in QUESTION_LABELS:
            aggregates[f"question:{question}:{outcome}"] = Count(
                "pk", filter=reviewed & Q(**{question: outcome})
            )
    counts = reviews.aggregate(**aggregates)

    def counts_for(prefix: str, label: str) -> OutcomeCounts:
        return OutcomeCounts(label, {outcome: counts[f"{prefix}{outcome}"] for outcome in OUTCOMES})

    return QualityMeasure(
        since=since,
        until=until,
        division=division or None,
        overall=counts_for("outcome:", _("All reviews")),
        by_reason={
            reason: counts_for(f"reason:{reason}:", str(ReviewReason(reason).label))
            for reason in ReviewReason.values
        },
        by_question={
            question: counts_for(f"question:{question}:", str(label))
            for question, label in QUESTION_LABELS.items()
        },
        waiting=counts["waiting"],
    )


# Policy versions ---------------------------------------------------------------------------


def policy_versions(user: Any) -> list[PolicyVersion]:
    """Every policy version, newest first, each with ``decisions`` (how many were made under it).

    One query. Nothing for a user without the review capability.
    """
    if not may_review_triage(user):
        return []
    decisions = (
        Decision.objects.filter(policy_version=OuterRef("pk"))
        .order_by()
        .values("policy_version")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return list(
        PolicyVersion.objects.defer("text")
        .annotate(decisions=Coalesce(Subquery(decisions, output_field=IntegerField()), Value(0)))
        .order_by("-first_used_at", "-pk")
    )


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "header", "hunk", "added", "removed", "same"
    text: str


@dataclass(frozen=True)
class PolicyDiff:
    a: PolicyVersion
    b: PolicyVersion
    lines: list[DiffLine]

    @property
    def added(self) -> int:
        return sum(1 for line in self.lines if line.kind == "added")

    @property
    def removed(self) -> int:
        return sum(1 for line in self.lines if line.kind == "removed")


def _kind(line: str) -> str:
    if line.startswith("@@"):
        return "hunk"
    return {"+": "added", "-": "removed"}.get(line[:1], "same")


def policy_version_diff(a_id: int, b_id: int, user: Any) -> PolicyDiff | None:
    """The unified diff from version ``a`` to version ``b`` of the policy text; None when
    either is missing or the user may not see policy versions."""
    if not may_review_triage(user):
        return None
    versions = PolicyVersion.objects.in_bulk([a_id, b_id])
    if a_id not in versions or b_id not in versions:
        return None
    a, b = versions[a_id], versions[b_id]
    lines = [
        DiffLine("header" if index < 2 else _kind(line), line)  # the first two name the files
        for index, line in enumerate(diff_policy_versions(a, b))
    ]
    return PolicyDiff(a=a, b=b, lines=lines)
