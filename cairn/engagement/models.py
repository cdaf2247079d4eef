"""What the person tells us back: messages from the tracking page, closure surveys, complaints.

- ``PersonMessage`` is the receipt of one "send us new information" form: it
  records where the words went (an update on the case's timeline, or a new
  follow-up contact in the queue), never the words themselves, and its
  ``form_token`` is unique so a form posted twice is saved once.
- ``SurveyResponse``: the closure survey (the measures of Police Scotland's
  User Experience Survey), one per contact, stored per case and channel.
- ``Complaint``: a complaint about the service, with a reference made by the
  database (COM-YYMMDD-NNNNN, London date; the function is created in
  migration 0001, as cases' CAS- references are).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cairn.references import DatabaseReference

MAX_MESSAGE_LENGTH = 2000
MAX_COMPLAINT_LENGTH = 4000
MAX_PUT_RIGHT_LENGTH = 2000
MAX_COMMENT_LENGTH = 2000


class ComplaintReference(DatabaseReference):
    """COM-YYMMDD-NNNNN, zero-padded to at least five digits and never cut."""

    function_name = "engagement_next_complaint_reference"


class MessageRoute(models.TextChoices):
    CASE_TIMELINE = "case_timeline", _("Added to the case's timeline")
    FOLLOW_UP_CONTACT = "follow_up_contact", _("A new follow-up contact in the queue")


class PersonMessage(models.Model):
    """One message sent from a tracking page, and where it went (not what it said)."""

    form_token = models.CharField(max_length=64)
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    route = models.CharField(max_length=20, choices=MessageRoute.choices)
    case_update = models.ForeignKey(
        "cases.CaseUpdate", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    follow_up = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["form_token"], name="person_message_once"),
            models.CheckConstraint(
                condition=Q(route="case_timeline", case_update__isnull=False, follow_up=None)
                | Q(route="follow_up_contact", follow_up__isnull=False, case_update=None),
                name="person_message_went_somewhere",
            ),
        ]
        indexes = [models.Index(fields=["contact", "sent_at"], name="person_message_contact")]

    def __str__(self) -> str:
        return f"message {self.pk} ({self.route})"


class Measure(models.TextChoices):
    """The User Experience Survey's measures, in the order the survey asks them."""

    EASE_OF_CONTACT = "ease_of_contact", _("Ease of contact")
    TREATMENT = "treatment", _("Treated fairly and with respect")
    UNDERSTOOD_NEEDS = "understood_needs", _("Understood my needs")
    APPROPRIATE_RESPONSE = "appropriate_response", _("Appropriate response")
    KEPT_INFORMED = "kept_informed", _("Kept informed")
    ATTENDING_OFFICER = "attending_officer", _("Attending officer")
    OVERALL = "overall", _("Overall satisfaction")


def _score(help_text: str, *, optional: bool = False) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        null=optional, blank=optional, help_text=f"1 (worst) to 5 (best). {help_text}"
    )


class SurveyResponse(models.Model):
    """The closure survey from one contact of a closed case; answered once."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    contact = models.OneToOneField(
        "contacts.Contact", on_delete=models.PROTECT, related_name="survey_response"
    )
    channel = models.CharField(max_length=20, help_text="The channel of the contact.")
    language = models.CharField(max_length=8)
    ease_of_contact = _score("How easy it was to contact us.")
    treatment = _score("Treated fairly and with respect.")
    understood_needs = _score("We understood what they needed.")
    appropriate_response = _score("The action taken was right.")
    kept_informed = _score("How well we kept them informed.")
    attending_officer = _score("The officer who came; null: none came.", optional=True)
    overall = _score("Overall satisfaction.")
    comment = models.TextField(blank=True, default="")
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    ease_of_contact__range=(1, 5),
                    treatment__range=(1, 5),
                    understood_needs__range=(1, 5),
                    appropriate_response__range=(1, 5),
                    kept_informed__range=(1, 5),
                    overall__range=(1, 5),
                )
                & (Q(attending_officer__isnull=True) | Q(attending_officer__range=(1, 5))),
                name="survey_scores_on_the_scale",
            ),
        ]
        indexes = [models.Index(fields=["channel", "answered_at"], name="survey_channel")]

    def __str__(self) -> str:
        return f"survey {self.pk} for case {self.case_id}"

    def scores(self) -> dict[str, int | None]:
        return {measure: getattr(self, measure) for measure in Measure.values}


class ContactRoute(models.TextChoices):
    EMAIL = "email", _("By email")
    PHONE = "phone", _("By phone or text message")
    NONE = "none", _("Do not contact me")


class Complaint(models.Model):
    """A complaint about the service, made from a tracking page."""

    reference = models.CharField(max_length=24, db_default=ComplaintReference(), editable=False)
    form_token = models.CharField(max_length=64)
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.PROTECT, related_name="complaints"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    what_happened = models.TextField()
    put_right = models.TextField(blank=True, default="")
    contact_route = models.CharField(max_length=10, choices=ContactRoute.choices)
    contact_email = models.CharField(max_length=254, blank=True, default="")
    contact_phone = models.CharField(max_length=40, blank=True, default="")
    language = models.CharField(max_length=8)
    received_at = models.DateTimeField(default=timezone.now)
    acknowledged = models.BooleanField(
        default=False, help_text="Whether an acknowledgement was queued to the person."
    )

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="complaint_reference_unique"),
            models.UniqueConstraint(fields=["form_token"], name="complaint_once"),
        ]

    def __str__(self) -> str:
        return self.reference
