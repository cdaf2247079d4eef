"""Cases: an incident or crime gathering its contacts, with a timeline of updates.

A case is filed under an incident category (policy/incident_categories.yaml),
owned by a team or an officer, and closed with an outcome. Its updates are
append-only (migration 0002 refuses UPDATE and DELETE in the database): a
correction is a new update, never an edit.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cairn.references import DatabaseReference

REFERENCE_SEQUENCE = "cases_reference_seq"
MAX_UPDATE_LENGTH = 2000
MAX_CLASSIFICATION_LENGTH = 120


class CaseReference(DatabaseReference):
    """The human reference, made by the database: CAS-YYMMDD-NNNNN (London date)."""

    function_name = "cases_next_reference"


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")


class ClosureOutcome(models.TextChoices):
    RESOLVED_BY_RESOLUTION_TEAM = (
        "resolved_by_resolution_team",
        _("Resolved in entirety by the Resolution Team"),
    )
    RESOLVED_LOCALLY = "resolved_locally", _("Resolved by local officers")
    REFERRED_TO_PARTNER = "referred_to_partner", _("Referred to a partner agency")
    NO_CRIME = "no_crime", _("No crime established")
    WITHDRAWN = "withdrawn", _("Withdrawn by the person")
    NO_FURTHER_ACTION = "no_further_action", _("No further police action")


class Case(models.Model):
    reference = models.CharField(max_length=24, db_default=CaseReference(), editable=False)
    category = models.CharField(max_length=60)
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    division = models.ForeignKey(
        "places.Division", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,  # the (team, status) index serves it
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_owned",
        db_index=False,  # the (officer, status) index serves it
    )
    opened_at = models.DateTimeField(default=timezone.now)
    awaiting_reply_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the person wrote to us and no officer has answered yet (the worklist).",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    # Set when a crime is recorded, all three together (a check constraint).
    crime_classification = models.CharField(  # noqa: DJ001 - null means "no crime recorded"
        max_length=MAX_CLASSIFICATION_LENGTH, null=True, blank=True
    )
    crime_recorded_at = models.DateTimeField(null=True, blank=True)
    crime_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # Set on closure, all three together with status "closed" (a check constraint).
    outcome = models.CharField(
        max_length=40, choices=ClosureOutcome.choices, blank=True, default=""
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["team", "status"], name="case_team_status"),
            models.Index(fields=["officer", "status"], name="case_officer_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="case_reference_unique"),
            models.CheckConstraint(
                condition=Q(
                    crime_classification__isnull=True,
                    crime_recorded_at__isnull=True,
                    crime_recorded_by__isnull=True,
                )
                | Q(
                    crime_classification__isnull=False,
                    crime_recorded_at__isnull=False,
                    crime_recorded_by__isnull=False,
                ),
                name="case_crime_recorded_whole",
            ),
            models.CheckConstraint(
                condition=Q(status=CaseStatus.CLOSED, closed_at__isnull=False) & ~Q(outcome="")
                | Q(closed_at__isnull=True, outcome="") & ~Q(status=CaseStatus.CLOSED),
                name="case_closed_with_outcome",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_closed(self) -> bool:
        return self.status == CaseStatus.CLOSED


class CaseContact(models.Model):
    """A contact gathered into a case. A contact belongs to at most one case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="case_contacts")
    contact = models.OneToOneField(
        "contacts.Contact", on_delete=models.PROTECT, related_name="case_link"
    )
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.contact_id}"


class Visibility(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    PUBLIC = "public", _("Shared with the person")


class UpdateKind(models.TextChoices):
    NOTE = "note", _("Note")
    STATUS = "status", _("Status")
    ASSIGNED = "assigned", _("Assigned")
    CONTACT_ADDED = "contact_added", _("Contact added")
    CRIME_RECORDED = "crime_recorded", _("Crime recorded")
    CLOSED = "closed", _("Closed")
    FROM_THE_PERSON = "from_the_person", _("From the person")
    APPOINTMENT = "appointment", _("Appointment")
    DISPATCH = "dispatch", _("Command and control")
    REFERRAL = "referral", _("Partner referral")
    OUTCOME = "outcome", _("Outcome of contact with the person")
    HANDED_ON = "handed_on", _("Handed on")


class CaseUpdate(models.Model):
    """One entry on a case's timeline, in plain words. Never changed, never deleted."""

    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="updates",
        db_index=False,  # the (case, at) index serves it
    )
    at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="None for an update the system wrote.",
    )
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    kind = models.CharField(max_length=20, choices=UpdateKind.choices, default=UpdateKind.NOTE)
    text = models.TextField(max_length=MAX_UPDATE_LENGTH)
    text_code = models.CharField(
        max_length=40,
        blank=True,
        default="",
        help_text="A standard sentence (cases.public_texts) the person reads in their language; "
        "text holds it in English for staff.",
    )

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="case_update_timeline")]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="case_update_has_text"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class CaseHandOn(models.Model):
    """A case handed on from one owner to another, with who did it and when.

    The rationale is the "handed on" update's text on the timeline; this row
    keeps what a count needs: where the case went, and whether that took it
    out of the Resolution Teams (then it was not resolved by them in entirety).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="hand_ons")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    from_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    left_resolution_teams = models.BooleanField(
        help_text="The case went to someone outside the Resolution Teams (a local team)."
    )

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_team__isnull=False) | Q(to_officer__isnull=False),
                name="case_hand_on_has_a_receiver",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} handed on {self.at:%Y-%m-%d %H:%M}"
