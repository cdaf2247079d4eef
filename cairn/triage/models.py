"""Triage: who is working a contact, its THRIVE assessments, its CAM decisions and what follows.

Assessments and decisions are append-only versions (a database trigger refuses
UPDATE and DELETE): a later one never overwrites an earlier one, so the
timeline shows every grade a contact was given, by whom, under which policy
and why.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicyVersion(models.Model):
    """A CAM policy as it was when a decision was made under it, by content hash."""

    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the policy text")
    name = models.CharField(max_length=200)
    text = models.TextField(help_text="The policy files exactly as loaded")
    first_used_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.digest[:12]})"


class Claim(models.Model):
    """A handler working a contact. One per contact at a time: the unique contact wins races."""

    contact = models.OneToOneField(
        "contacts.Contact", on_delete=models.PROTECT, related_name="triage_claim"
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="triage_claims"
    )
    claimed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.contact_id} by {self.handler_id}"


class Level(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


THRIVE_DIMENSIONS = ("threat", "harm", "risk", "investigation", "vulnerability", "engagement")


class Assessment(models.Model):
    """One THRIVE assessment of a contact: a level and a note for each of the six, and why.

    ``version`` counts a contact's assessments from 1. Never updated.
    """

    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.PROTECT, related_name="assessments"
    )
    version = models.PositiveIntegerField()
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField()
    threat = models.CharField(max_length=10, choices=Level.choices)
    threat_note = models.TextField()
    harm = models.CharField(max_length=10, choices=Level.choices)
    harm_note = models.TextField()
    risk = models.CharField(max_length=10, choices=Level.choices)
    risk_note = models.TextField()
    investigation = models.CharField(max_length=10, choices=Level.choices)
    investigation_note = models.TextField()
    vulnerability = models.CharField(max_length=10, choices=Level.choices)
    vulnerability_note = models.TextField()
    engagement = models.CharField(max_length=10, choices=Level.choices)
    engagement_note = models.TextField()
    rationale = models.TextField(help_text="The summary: why these levels")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "version"], name="assessment_version_once")
        ]

    def __str__(self) -> str:
        return f"assessment {self.version} of {self.contact_id}"

    def levels(self) -> dict[str, str]:
        return {dimension: getattr(self, dimension) for dimension in THRIVE_DIMENSIONS}


class CueStatus(models.TextChoices):
    RAISED = "raised", _("Raised")
    DISMISSED = "dismissed", _("Dismissed with a note")


class Cue(models.Model):
    """A vulnerability or urgency cue raised on a contact, with where it came from.

    A cue can only be dismissed with a note (enforced by the service).
    """

    contact = models.ForeignKey("contacts.Contact", on_delete=models.PROTECT, related_name="cues")
    kind = models.CharField(max_length=40)  # a cue kind of the policy
    source = models.CharField(max_length=60)  # "narrative", "answers.<id>", "recent contacts", …
    evidence = models.CharField(max_length=200)  # the words matched, or a count
    raised_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=CueStatus.choices, default=CueStatus.RAISED)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissal_note = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "kind", "source"], name="cue_once"),
            models.CheckConstraint(
                condition=~models.Q(status="dismissed") | ~models.Q(dismissal_note=""),
                name="cue_dismissed_with_a_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.contact_id}"


class CueCheck(models.Model):
    """When the cue rules last ran over a contact: a new contact has none until they have."""

    contact = models.OneToOneField(
        "contacts.Contact", primary_key=True, on_delete=models.CASCADE, related_name="cue_check"
    )
    checked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"cues checked on {self.contact_id}"


class DecisionKind(models.TextChoices):
    INITIAL = "initial", _("First decision")
    REGRADE = "regrade", _("Regrade")
    TRANSFER = "transfer", _("Transfer to another department")


class Decision(models.Model):
    """A CAM decision: a grade plus a pathway, the suggestion it followed or not, and why.

    Never updated: a regrade or transfer is a new decision that ``supersedes``
    the last. ``rationale`` is required (by the service) whenever the choice
    differs from the suggestion or changes an earlier decision.
    """

    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.PROTECT, related_name="decisions"
    )
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=20, choices=DecisionKind.choices)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    grade = models.CharField(max_length=30)  # a grade of the policy
    pathway = models.CharField(max_length=40)  # a pathway of the policy
    suggested_grade = models.CharField(max_length=30)
    suggested_pathway = models.CharField(max_length=40)
    suggestion_rule = models.CharField(max_length=80)
    explanation = models.TextField(help_text="The suggestion's explanation, in plain words")
    follows_suggestion = models.BooleanField()
    rationale = models.TextField(blank=True, default="")
    department = models.CharField(max_length=80, blank=True, default="")  # on a transfer
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(follows_suggestion=True, kind="initial")
                | ~models.Q(rationale=""),
                name="decision_override_has_rationale",
            ),
        ]
        indexes = [models.Index(fields=["contact", "decided_at"])]

    def __str__(self) -> str:
        return f"{self.grade}/{self.pathway} for {self.contact_id}"


class NextStepKind(models.TextChoices):
    DISPATCH_REQUEST = "dispatch_request", _("Dispatch request")
    APPOINTMENT_TO_BOOK = "appointment_to_book", _("Local Policing Appointment to book")
    RESOLUTION_TASK = "resolution_task", _("Resolution Team task")
    REFERRAL = "referral", _("Partner referral")
    ADVICE_MESSAGE = "advice_message", _("Advice message")
    NO_FURTHER_ACTION = "no_further_action", _("No further police action recorded")


class NextStepStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled (the decision was changed)")


class NextStep(models.Model):
    """The work a decision creates, for later parts of Cairn (dispatch, appointments) to fill in."""

    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="next_step")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.PROTECT, related_name="next_steps"
    )
    kind = models.CharField(max_length=30, choices=NextStepKind.choices)
    status = models.CharField(
        max_length=20, choices=NextStepStatus.choices, default=NextStepStatus.OPEN
    )
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    due_by = models.DateTimeField(null=True, blank=True)  # Prompt: supervisor review after 45 min

    class Meta:
        indexes = [
            models.Index(
                fields=["kind", "created_at"],
                condition=models.Q(status="open"),
                name="next_step_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.contact_id}"


class ReviewReason(models.TextChoices):
    RANDOM = "random", _("Random sample")
    REGRADE = "regrade", _("Every regrade")


class ReviewOutcome(models.TextChoices):
    MEETS = "meets", _("Meets the standard")
    PARTLY = "partly", _("Partly meets the standard")
    DOES_NOT_MEET = "does_not_meet", _("Does not meet the standard")


class QualityReview(models.Model):
    """A supervisor's review of one decision (and the assessment behind it), with feedback."""

    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="review")
    reason = models.CharField(max_length=20, choices=ReviewReason.choices)
    selected_at = models.DateTimeField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    thrive_complete = models.CharField(max_length=20, choices=ReviewOutcome.choices, blank=True)
    grade_appropriate = models.CharField(max_length=20, choices=ReviewOutcome.choices, blank=True)
    rationale_clear = models.CharField(max_length=20, choices=ReviewOutcome.choices, blank=True)
    outcome = models.CharField(max_length=20, choices=ReviewOutcome.choices, blank=True)
    feedback = models.TextField(blank=True, default="")
    feedback_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["selected_at"],
                condition=models.Q(reviewed_at__isnull=True),
                name="review_waiting",
            )
        ]

    def __str__(self) -> str:
        return f"review of {self.decision_id}"
