"""Command and control hand-off: incidents sent as EIDO documents, resources, status back.

A ``DispatchIncident`` is one Immediate or Prompt contact handed to command and
control. Its ``document`` is the EIDO exactly as posted; every retry posts the
same bytes, so the receiver de-duplicates on ``eido_id``. ``Resource`` is a unit
(a response car, a dog van) by call sign; ``ResourceAssignment`` says which
unit went to which incident and when it cleared. ``StatusUpdate`` keeps every
status report, from command and control or from the board, once per the
sender's ``update_id``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediate")
    PROMPT = "prompt", _("Prompt")


class IncidentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent to command and control")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by command and control")
    RESOURCE_ASSIGNED = "resource_assigned", _("Resource assigned")
    ON_SCENE = "on_scene", _("On scene")
    CLEARED = "cleared", _("Cleared")
    FAILED = "failed", _("Hand-off failed")


# How far an incident has got: a status report never moves it back.
PROGRESS = {
    IncidentStatus.PENDING: 0,
    IncidentStatus.FAILED: 0,
    IncidentStatus.SENT: 1,
    IncidentStatus.ACKNOWLEDGED: 2,
    IncidentStatus.RESOURCE_ASSIGNED: 3,
    IncidentStatus.ON_SCENE: 4,
    IncidentStatus.CLEARED: 5,
}
OPEN_STATUSES = tuple(status for status in IncidentStatus.values if status != "cleared")


class DispatchIncident(models.Model):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="dispatch_incidents"
    )
    contact = models.OneToOneField(
        "contacts.Contact", on_delete=models.PROTECT, related_name="dispatch_incident"
    )
    grade = models.CharField(max_length=10, choices=Grade.choices)
    pathway = models.CharField(max_length=40)
    category = models.CharField(max_length=60, help_text="The case's incident category code.")
    division = models.ForeignKey(
        "places.Division", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    eido_id = models.CharField(
        max_length=300,
        help_text="The EIDO document's $id: the same on every retry, for de-duplication.",
    )
    document = models.JSONField(help_text="The EIDO document exactly as posted.")
    status = models.CharField(
        max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.PENDING
    )
    command_and_control_id = models.CharField(
        max_length=100, blank=True, default="", help_text="Command and control's own incident id."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(
        max_length=200, blank=True, default="", help_text="Ours, never the receiver's words."
    )
    raised_at = models.DateTimeField(default=timezone.now)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sending_since = models.DateTimeField(
        null=True, blank=True, help_text="Set while a worker is posting it (the claim)."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["raised_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["eido_id"], name="dispatch_incident_eido_once"),
            models.CheckConstraint(
                condition=Q(grade__in=Grade.values), name="dispatch_incident_grade_known"
            ),
            models.CheckConstraint(
                condition=~Q(status="cleared") | Q(cleared_at__isnull=False),
                name="dispatch_incident_cleared_has_time",
            ),
        ]
        indexes = [
            # The board: open incidents, oldest first. Cleared ones are most rows in time.
            models.Index(
                fields=["raised_at"],
                condition=~Q(status="cleared"),
                name="dispatch_incident_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grade} incident for {self.contact_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status != IncidentStatus.CLEARED


class ResourceKind(models.TextChoices):
    RESPONSE_CAR = "response_car", _("Response car")
    VAN = "van", _("Van")
    DOG = "dog", _("Dog unit")
    ROADS = "roads", _("Roads policing")
    ARMED = "armed", _("Armed response")
    FOOT = "foot", _("Foot patrol")
    COMMUNITY = "community", _("Community officers")


class ResourceStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    ASSIGNED = "assigned", _("Assigned")
    EN_ROUTE = "en_route", _("En route")
    ON_SCENE = "on_scene", _("On scene")
    UNAVAILABLE = "unavailable", _("Unavailable")


class Resource(models.Model):
    """A unit command and control can send, known by its call sign."""

    call_sign = models.CharField(max_length=20)
    division = models.ForeignKey(
        "places.Division", on_delete=models.PROTECT, related_name="dispatch_resources"
    )
    kind = models.CharField(max_length=20, choices=ResourceKind.choices)
    status = models.CharField(
        max_length=20, choices=ResourceStatus.choices, default=ResourceStatus.AVAILABLE
    )
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["division", "call_sign"]
        constraints = [
            models.UniqueConstraint(fields=["call_sign"], name="dispatch_resource_call_sign_once")
        ]

    def __str__(self) -> str:
        return self.call_sign


class ResourceAssignment(models.Model):
    incident = models.ForeignKey(
        DispatchIncident, on_delete=models.PROTECT, related_name="assignments"
    )
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="assignments")
    assigned_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assigned_at", "pk"]
        constraints = [
            # A unit is on one incident at a time.
            models.UniqueConstraint(
                fields=["resource"],
                condition=Q(cleared_at__isnull=True),
                name="dispatch_resource_one_open_assignment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} on {self.incident_id}"


class UpdateSource(models.TextChoices):
    COMMAND_AND_CONTROL = "command_and_control", _("Command and control")
    BOARD_OPERATOR = "board_operator", _("Dispatch board operator")


class ReportedStatus(models.TextChoices):
    RESOURCE_ASSIGNED = "resource_assigned", _("Resource assigned")
    EN_ROUTE = "en_route", _("En route")
    ON_SCENE = "on_scene", _("On scene")
    CLEARED = "cleared", _("Cleared")


class StatusUpdate(models.Model):
    """One status report about an incident, stored once per the sender's ``update_id``."""

    incident = models.ForeignKey(
        DispatchIncident, on_delete=models.PROTECT, related_name="status_updates"
    )
    status = models.CharField(max_length=20, choices=ReportedStatus.choices)
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(help_text="When it happened, as the sender says.")
    received_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=30, choices=UpdateSource.choices)
    update_id = models.CharField(max_length=100, help_text="The sender's id: a repeat reuses it.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    api_client = models.ForeignKey(
        "accounts.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "update_id"], name="dispatch_status_update_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.status} on {self.incident_id}"
