from django.conf import settings
from django.contrib.postgres.indexes import GistIndex
from django.db import models
from django.utils.translation import gettext_lazy as _

from cairn.references import DatabaseReference

REFERENCE_SEQUENCE = "contacts_reference_seq"


class Channel(models.TextChoices):
    WEB_FORM = "web_form", _("Online form")
    PHONE_999 = "phone_999", _("999 call")
    PHONE_101 = "phone_101", _("101 call")
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")
    WEB_CHAT = "web_chat", _("Web chat")
    SOCIAL = "social", _("Social media message")
    DEVICE = "device", _("Device or alarm alert")
    FRONT_COUNTER = "front_counter", _("Front counter")
    PARTNER_APP = "partner_app", _("Another service's app")


class Reason(models.TextChoices):
    NEW_MATTER = "new_matter", _("Something new to report")
    UPDATE = "update", _("About something already reported")
    INFORMATION = "information", _("Information or advice")
    COMPLAINT = "complaint", _("Complaint")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_ASSESSMENT = "in_assessment", _("Being assessed")
    ASSESSED = "assessed", _("Assessed")
    CLOSED = "closed", _("Closed")


class ContactReference(DatabaseReference):
    """The human reference, made by the database: CRN-YYMMDD-NNNNN (London date)."""

    function_name = "contacts_next_reference"


class Contact(models.Model):
    """One communication from the public on one channel.

    Identity fields are kept exactly as given (matching to a Person comes
    later and links, never overwrites). ``answers`` holds a report form's
    structured answers by question id. An anonymous contact keeps no way back
    to the person: no name, no contact details, the hour of receipt only.
    """

    # Unique by a constraint, not unique=True: that would add a second,
    # varchar_pattern_ops index for LIKE, which nothing here asks for and every
    # contact would pay for.
    reference = models.CharField(max_length=24, db_default=ContactReference())
    channel = models.CharField(max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField()
    language = models.CharField(max_length=8, default="en")
    reason = models.CharField(max_length=20, choices=Reason.choices, default=Reason.NEW_MATTER)
    category = models.CharField(max_length=60, blank=True, default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    anonymous = models.BooleanField(default=False)

    reporter_name = models.CharField(max_length=200, blank=True, default="")
    reporter_email = models.CharField(max_length=254, blank=True, default="")
    reporter_phone = models.CharField(max_length=40, blank=True, default="")
    reporter_details = models.JSONField(default=dict, blank=True)
    preferred_contact = models.CharField(max_length=20, blank=True, default="")

    answers = models.JSONField(default=dict, blank=True)
    narrative = models.TextField(blank=True, default="")

    address_text = models.CharField(max_length=400, blank=True, default="")
    postcode = models.CharField(max_length=10, blank=True, default="")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    location_accuracy_m = models.FloatField(null=True, blank=True)
    division = models.ForeignKey(
        "places.Division",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the (division, received_at) index serves it
    )

    related_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        help_text="The earlier contact this one is about (chasing, adding information).",
        db_index=False,  # a partial index in Meta: most contacts have none
    )
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    submission_digest = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text="SHA-256 of the submission that first used the idempotency key: a retry "
        "must match it.",
    )
    tracking_secret_hash = models.CharField(max_length=128, blank=True, default="")
    source = models.CharField(
        max_length=80,
        blank=True,
        default="",
        help_text="Who handed it to us: the API client, the SMS provider, the handler.",
    )
    call = models.ForeignKey(
        "contacts.Call",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
        help_text="The 999 or 101 call this contact was taken on.",
        db_index=False,  # a partial index in Meta: most contacts have none
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="contact_reference_unique"),
            models.UniqueConstraint(
                fields=["channel", "source", "idempotency_key"],
                name="contact_idempotent_per_source",
                condition=models.Q(idempotency_key__isnull=False),
            ),
            models.CheckConstraint(
                condition=models.Q(anonymous=False)
                | (
                    models.Q(reporter_name="")
                    & models.Q(reporter_email="")
                    & models.Q(reporter_phone="")
                ),
                name="anonymous_contact_has_no_identity",
            ),
        ]
        # Every index costs each intake an insert into it: keep only those a
        # query needs, and make the ones for mostly empty columns partial.
        indexes = [
            models.Index(fields=["status", "received_at"]),
            models.Index(fields=["division", "received_at"]),
            models.Index(
                fields=["related_to"],
                condition=models.Q(related_to__isnull=False),
                name="contact_follow_ups",
            ),
            models.Index(
                fields=["call"], condition=models.Q(call__isnull=False), name="contact_calls"
            ),
            # Repeat locations (cairn/contacts/location_queries.py): same postcode, or
            # near the same point. Partial: many contacts give neither.
            models.Index(
                fields=["postcode", "received_at"],
                condition=~models.Q(postcode=""),
                name="contact_postcode_received",
            ),
            GistIndex(
                models.Func(models.F("longitude"), models.F("latitude"), function="point"),
                condition=models.Q(latitude__isnull=False),
                name="contact_location",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class ScanStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a virus scan")
    CLEAN = "clean", _("Scanned: clean")
    INFECTED = "infected", _("Scanned: infected, withheld")


class Evidence(models.Model):
    """A file the public sent: the original untouched, and a copy safe to display.

    ``original`` is exactly the bytes received (``sha256`` proves it); for
    images, ``display`` is a re-encoded copy with metadata (GPS, camera,
    times) removed. Files are uploaded while a report is a draft and attached
    to its contact on submission.
    """

    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    draft = models.ForeignKey(
        "contacts.ReportDraft",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evidence",
    )
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    original = models.FileField(upload_to="evidence/original/%Y/%m/")
    display = models.FileField(upload_to="evidence/display/%Y/%m/", blank=True, default="")
    scan_status = models.CharField(
        max_length=20, choices=ScanStatus.choices, default=ScanStatus.PENDING
    )
    scanned_at = models.DateTimeField(null=True, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name


class ReportDraft(models.Model):
    """An online report in progress, kept on the server (never in the browser).

    The person holds a resume link carrying a secret token; only its SHA-256 is
    stored. Submitting sets ``contact`` in the same transaction that creates
    it, so a double submit returns the same contact instead of a second one.
    """

    token_hash = models.CharField(max_length=64, unique=True)
    form_slug = models.CharField(max_length=60)
    language = models.CharField(max_length=8, default="en")
    answers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField()
    contact = models.OneToOneField(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="draft"
    )

    def __str__(self) -> str:
        return f"draft {self.form_slug} {self.pk}"


class InboundStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class InboundMessage(models.Model):
    """The raw payload a channel adapter received, kept for inspection.

    Unique per (channel, source, provider message id): a provider retrying a
    webhook finds the first row and gets the same answer.
    """

    channel = models.CharField(max_length=20, choices=Channel.choices)
    source = models.CharField(max_length=80)
    provider_message_id = models.CharField(max_length=200)
    received_at = models.DateTimeField(auto_now_add=True)
    content_type = models.CharField(max_length=100, blank=True, default="")
    raw = models.BinaryField()
    status = models.CharField(max_length=20, choices=InboundStatus.choices)
    error = models.TextField(blank=True, default="")
    contact = models.OneToOneField(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="inbound_message"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "source", "provider_message_id"], name="inbound_message_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.provider_message_id}"


class Line(models.TextChoices):
    EMERGENCY = "999", _("999")
    NON_EMERGENCY = "101", _("101")


LINE_CHANNELS = {Line.EMERGENCY: Channel.PHONE_999, Line.NON_EMERGENCY: Channel.PHONE_101}


class Call(models.Model):
    """One phone call to 999 or 101, as the telephony system reported it.

    The timestamps follow from the call's events (``CallEvent``), whatever
    order they arrived in. ``external_id`` is the telephony system's id; a call
    recorded by hand in the workspace has none. ``agent`` is the member of
    staff who took the call in Cairn; ``agent_ref`` is the telephony system's
    name for the agent who answered it.
    """

    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    line = models.CharField(max_length=3, choices=Line.choices)
    queue = models.CharField(max_length=100, blank=True, default="")
    caller_number = models.CharField(
        max_length=20, blank=True, default="", help_text="E.164, or empty when withheld."
    )
    offered_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    transferred_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    abandoned = models.BooleanField(default=False)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calls_taken",
    )
    agent_ref = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(line__in=Line.values), name="call_line_known"
            ),
            models.CheckConstraint(
                condition=models.Q(abandoned=False) | models.Q(answered_at__isnull=True),
                name="abandoned_call_was_not_answered",
            ),
        ]
        indexes = [models.Index(fields=["line", "offered_at"])]

    def __str__(self) -> str:
        return f"{self.line} call {self.external_id or self.pk}"


class CallEventKind(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ANSWERED = "answered", _("Answered")
    TRANSFERRED = "transferred", _("Transferred")
    ABANDONED = "abandoned", _("Abandoned")
    ENDED = "ended", _("Ended")


class CallEvent(models.Model):
    """One event the telephony system reported, kept as sent (``raw``).

    ``event_id`` is the telephony system's id for the event: a retry finds
    the first row and changes nothing.
    """

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="events")
    event_id = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=CallEventKind.choices)
    occurred_at = models.DateTimeField()
    queue = models.CharField(max_length=100, blank=True, default="")
    agent_ref = models.CharField(max_length=100, blank=True, default="")
    raw = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["call", "kind"],
                condition=~models.Q(kind="transferred"),
                name="call_event_once_per_kind",
            ),
        ]
        indexes = [models.Index(fields=["call", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id}"
