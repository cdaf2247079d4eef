"""The outbox of email and text messages, and the one-time codes some of them carry.

An ``OutboundMessage`` is written in the transaction of whatever caused it and
sent by a task after that transaction commits. Its recipient (and body) are
personal data kept only while needed: they are erased 30 days after the
message was sent or given up on (``services.forget_old_recipients``, daily).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MessageChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be sent")


class OutboundMessage(models.Model):
    channel = models.CharField(max_length=10, choices=MessageChannel.choices)
    recipient = models.CharField(
        max_length=254,
        blank=True,
        default="",
        help_text="E.164 number or lower-case email address; erased 30 days after sending.",
    )
    template = models.CharField(max_length=60)
    language = models.CharField(max_length=8, help_text="The language the text was written in.")
    subject = models.CharField(max_length=200, blank=True, default="")
    body = models.TextField(blank=True, default="")
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    provider_message_id = models.CharField(max_length=200, blank=True, default="")
    last_error = models.CharField(
        max_length=200, blank=True, default="", help_text="Ours, never the provider's words."
    )
    idempotency_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(
        null=True, blank=True, help_text="When the recipient and body were erased."
    )

    class Meta:
        constraints = [
            # A constraint, not unique=True: that would add a LIKE index nothing uses.
            models.UniqueConstraint(fields=["idempotency_key"], name="outbound_message_once"),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="outbound_sent_has_sent_at",
            ),
        ]
        indexes = [
            # The stalled-delivery sweep: few rows are ever unfinished.
            models.Index(
                fields=["status", "claimed_at"],
                condition=Q(status__in=["queued", "sending"]),
                name="outbound_unfinished",
            ),
            # The retention sweep: finished rows still holding a recipient.
            models.Index(
                fields=["sent_at", "failed_at"],
                condition=Q(erased_at__isnull=True, status__in=["sent", "failed"]),
                name="outbound_to_erase",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} by {self.channel} ({self.status})"


class CodeEnd(models.TextChoices):
    VERIFIED = "verified", _("Used")
    TOO_MANY_TRIES = "too_many_tries", _("Too many wrong tries")
    REPLACED = "replaced", _("A newer code was asked for")


class VerificationCode(models.Model):
    """A six-digit code sent to prove a person holds an email address or number.

    Neither the code nor what it proves is stored in clear: ``code_hash`` is an
    HMAC of the code under the server's secret key, ``subject_digest`` one of
    the subject (``"email:a@b.scot"``). An empty ``code_hash`` means no code was
    sent (the subject is unknown to us), so nothing can match it.
    """

    purpose = models.CharField(max_length=40)
    subject_digest = models.CharField(max_length=64)
    code_hash = models.CharField(max_length=64, blank=True, default="")
    salt = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    wrong_tries = models.PositiveSmallIntegerField(default=0)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=CodeEnd.choices, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["purpose", "subject_digest", "created_at"], name="code_subject"),
            models.Index(fields=["created_at"], name="code_created"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} code {self.pk}"
