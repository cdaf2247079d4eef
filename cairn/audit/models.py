from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class Operation(models.TextChoices):
    # Processing operations logged under DPA 2018 s.62.
    COLLECTION = "collection", _("Collection")
    ALTERATION = "alteration", _("Alteration")
    CONSULTATION = "consultation", _("Consultation")
    DISCLOSURE = "disclosure", _("Disclosure")
    COMBINATION = "combination", _("Combination")
    ERASURE = "erasure", _("Erasure")
    # Security events.
    LOGIN = "security.login", _("Password accepted")
    LOGIN_FAILED = "security.login_failed", _("Login failed")
    LOCKED_OUT = "security.locked_out", _("Account locked")
    MFA_ENROLLED = "security.mfa_enrolled", _("Authenticator enrolled")
    MFA_VERIFIED = "security.mfa_verified", _("Second factor accepted")
    MFA_FAILED = "security.mfa_failed", _("Second factor refused")
    LOGOUT = "security.logout", _("Logged out")
    SESSION_EXPIRED = "security.session_expired", _("Session expired")
    ACCESS_DENIED = "security.access_denied", _("Access denied")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    DENIED = "denied", _("Denied")
    FAILED = "failed", _("Failed")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    COMMAND = "command", _("Command line")
    TASK = "task", _("Background task")
    SYSTEM = "system", _("System")


class AuditEvent(models.Model):
    """One audited action. Never updated, never deleted.

    ``fields`` names the fields touched, never their values. ``context`` holds
    non-personal details (search filters as ids, counts). ``seq``, ``prev_hash``
    and ``hash`` are set once, by the sealer, which chains rows in ``seq`` order.
    """

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True, default="")
    actor_role = models.CharField(max_length=40, blank=True, default="")
    operation = models.CharField(max_length=40, choices=Operation.choices)
    object_type = models.CharField(max_length=60, blank=True, default="")
    object_id = models.CharField(max_length=64, blank=True, default="")
    fields = ArrayField(models.CharField(max_length=80), default=list, blank=True)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.SYSTEM)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.SUCCESS)
    purpose = models.TextField(blank=True, default="")
    context = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True, default="")
    seq = models.BigIntegerField(null=True, blank=True)  # unique once set: see Meta
    prev_hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001 (null: unsealed)
    hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001

    class Meta:
        # Partial where most rows are NULL (public actions have no actor; a row
        # has no seq until sealed): an insert then skips those indexes.
        constraints = [
            models.UniqueConstraint(
                fields=["seq"], condition=models.Q(seq__isnull=False), name="audit_seq_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["actor_id", "occurred_at"],
                condition=models.Q(actor_id__isnull=False),
                name="audit_by_actor",
            ),
            models.Index(fields=["object_type", "object_id", "occurred_at"]),
            models.Index(fields=["occurred_at"]),
            models.Index(
                fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unsealed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.object_type}:{self.object_id} by {self.actor_username}"
