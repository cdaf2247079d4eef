"""Partner agencies, their services, referrals to them and the webhooks that announce them.

A referral discloses a little personal data to one agency: what was shared is
kept on the referral itself (``shared_name``, ``shared_phone``, ``shared_email``),
so a partner reads exactly that and nothing else of the case. Every read by a
partner goes through ``cairn.partners.queries``, which filters by the reader's
agency: another agency's referral does not exist for them.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cairn.references import DatabaseReference

MAX_REASON_LENGTH = 2000


class ContactRoute(models.TextChoices):
    """How a referral reaches the agency (every agency also sees its referrals in the portal)."""

    PORTAL = "portal", _("Partner portal")
    API = "api", _("API with a webhook")
    SECURE_EMAIL = "secure_email", _("Secure email and the partner portal")


class Agency(models.Model):
    """A partner organisation that receives referrals."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=160)
    kind = models.CharField(max_length=60, help_text="e.g. health, social work, third sector")
    areas = ArrayField(
        models.CharField(max_length=4),
        default=list,
        blank=True,
        help_text="Division codes the agency serves; empty for all of Scotland.",
    )
    contact_route = models.CharField(
        max_length=20, choices=ContactRoute.choices, default=ContactRoute.PORTAL
    )
    webhook_url = models.URLField(
        max_length=300, blank=True, default="", help_text="Where new referrals are announced."
    )
    webhook_secret = models.CharField(
        max_length=100,
        blank=True,
        default="",
        help_text="Signs webhooks (HMAC-SHA256). Set with partners.services.new_webhook_secret.",
    )
    secure_email = models.EmailField(blank=True, default="")
    phone = models.CharField(max_length=40, blank=True, default="")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    @property
    def serves_all_scotland(self) -> bool:
        return not self.areas

    @property
    def announces_by_webhook(self) -> bool:
        return bool(self.contact_route == ContactRoute.API and self.webhook_url)


class AgencyMembership(models.Model):
    """Binds a partner user to exactly one agency (one row per user)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_membership"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="members")

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.user_id and self.user.role != "partner_user":
            raise ValidationError("Only a partner agency user can belong to an agency.")


class AgencyApiClient(models.Model):
    """Binds an API client (a partner's case system) to the one agency it answers for."""

    client = models.OneToOneField(
        "accounts.ApiClient", on_delete=models.CASCADE, related_name="agency_link"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="api_clients")

    def __str__(self) -> str:
        return f"{self.client} @ {self.agency}"


class PartnerService(models.Model):
    """One service an agency offers, of a type in policy/partner_services.yaml."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="services")
    service_type = models.CharField(max_length=60)
    name = models.CharField(max_length=160)
    eligibility = models.TextField(blank=True, default="")
    areas = ArrayField(
        models.CharField(max_length=4),
        default=list,
        blank=True,
        help_text="Division codes this service covers; empty for all the agency serves.",
    )
    hours = models.CharField(max_length=200, blank=True, default="")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["agency__name", "name"]
        indexes = [models.Index(fields=["service_type"], name="partner_service_type")]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"

    @property
    def covered_areas(self) -> list[str]:
        """The division codes served; empty means all of Scotland."""
        return list(self.areas or self.agency.areas)


class ReferralReference(DatabaseReference):
    """The human reference, made by the database: REF-YYMMDD-NNNNN (London date)."""

    function_name = "partners_next_referral_reference"


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    OUTCOME_RECORDED = "outcome_recorded", _("Outcome recorded")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class LawfulBasis(models.TextChoices):
    """Why sharing is lawful: consent, or a stated basis that does not need it."""

    CONSENT = "consent", _("The person consented")
    VITAL_INTERESTS = "vital_interests", _("To protect someone's life (vital interests)")
    SAFEGUARDING = "safeguarding", _("Safeguarding a child or an adult at risk")


class ConsentMethod(models.TextChoices):
    VERBAL_ON_CALL = "verbal_on_call", _("Verbally, on the call")
    ONLINE = "online", _("Online")
    WRITTEN = "written", _("In writing")


class Referral(models.Model):
    reference = models.CharField(max_length=24, db_default=ReferralReference(), editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.PROTECT, related_name="referrals"
    )
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    service = models.ForeignKey(PartnerService, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="referrals",
        db_index=False,  # the (agency, status, made_at) index serves it
    )
    reason = models.TextField(max_length=MAX_REASON_LENGTH)

    # What the agency was given about the person, and nothing more.
    shared_name = models.CharField(max_length=200, blank=True, default="")
    shared_phone = models.CharField(max_length=40, blank=True, default="")
    shared_email = models.CharField(max_length=254, blank=True, default="")

    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices)
    basis_explanation = models.TextField(
        blank=True, default="", help_text="Why sharing without consent is lawful here."
    )
    consent_given = models.BooleanField()
    consent_method = models.CharField(
        max_length=20, choices=ConsentMethod.choices, blank=True, default=""
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consent_recorded_at = models.DateTimeField(null=True, blank=True)

    status = models.CharField(
        max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="None when the agency answered over the API.",
    )
    decline_reason = models.TextField(blank=True, default="")
    outcome_code = models.CharField(max_length=40, blank=True, default="")
    outcome_text = models.TextField(blank=True, default="")
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdraw_reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-made_at", "-pk"]
        indexes = [
            models.Index(fields=["agency", "status", "made_at"], name="referral_agency_status"),
            models.Index(fields=["case", "made_at"], name="referral_case"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="referral_reference_unique"),
            models.CheckConstraint(condition=~Q(reason=""), name="referral_has_reason"),
            # Consent is recorded whole (given, how, by whom, when), or the referral
            # states another lawful basis and explains it.
            models.CheckConstraint(
                condition=Q(
                    lawful_basis=LawfulBasis.CONSENT,
                    consent_given=True,
                    consent_recorded_by__isnull=False,
                    consent_recorded_at__isnull=False,
                )
                & ~Q(consent_method="")
                | ~Q(lawful_basis=LawfulBasis.CONSENT) & ~Q(basis_explanation=""),
                name="referral_lawful_basis_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.DECLINED) | ~Q(decline_reason=""),
                name="referral_declined_with_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.OUTCOME_RECORDED)
                | ~Q(outcome_code="") & Q(outcome_recorded_at__isnull=False),
                name="referral_outcome_recorded_whole",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.WITHDRAWN) | Q(withdrawn_at__isnull=False),
                name="referral_withdrawn_when",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in (ReferralStatus.SENT, ReferralStatus.ACCEPTED)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be delivered")
    SENDING = "sending", _("Being delivered")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event announced to an agency's webhook, with every attempt counted.

    ``delivery_id`` stays the same across retries: the receiver drops a delivery
    it has already seen. The payload carries references and links, never
    personal data; the agency fetches the referral over the API.
    """

    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="deliveries")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="deliveries")
    event = models.CharField(max_length=40)
    url = models.URLField(max_length=300)
    payload = models.JSONField()
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} {self.delivery_id} ({self.status})"
