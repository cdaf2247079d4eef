"""The person behind contacts: identity, roles on matters, markers, merges.

A Person is built from what contacts tell us. Names, identifiers and
addresses are rows of their own so that a merge can move them and an undo
can move exactly those rows back. Nothing here is deleted when a person is
merged: the absorbed person stays, pointing at the survivor.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessNeed(models.TextChoices):
    BSL = "bsl", _("British Sign Language")
    TEXT_RELAY = "text_relay", _("Text relay")
    EASY_READ = "easy_read", _("Easy read")
    INTERPRETER = "interpreter", _("Interpreter")


class PreferredChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")
    PHONE = "phone", _("Phone call")
    LETTER = "letter", _("Letter")


class Person(models.Model):
    """One human being as far as we know them.

    The name here is the primary one; it is also a ``PersonName`` row (kind
    primary), with the aliases. ``search_name`` is the primary name
    normalised ("given family"), kept by the services, and carried in the
    date-of-birth index so that the date-of-birth block compares names
    without reading another table.
    """

    given_name = models.CharField(max_length=100, blank=True, default="")
    family_name = models.CharField(max_length=100, blank=True, default="")
    date_of_birth = models.DateField(null=True, blank=True)
    search_name = models.CharField(max_length=210, blank=True, default="")
    preferred_language = models.CharField(max_length=8, blank=True, default="")
    access_needs = ArrayField(
        models.CharField(max_length=20, choices=AccessNeed.choices), default=list, blank=True
    )
    interpreter_language = models.CharField(max_length=40, blank=True, default="")
    preferred_channel = models.CharField(
        max_length=10, choices=PreferredChannel.choices, blank=True, default=""
    )
    preferred_times = models.CharField(max_length=200, blank=True, default="")
    consents_to_updates = models.BooleanField(default=False)
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="absorbed",
        help_text="Set while this record is combined into another (undone by unmerge).",
        db_index=False,  # partial index in Meta
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["merged_into"],
                condition=models.Q(merged_into__isnull=False),
                name="person_merged_into",
            ),
            # Covering: the date-of-birth block reads the index alone, name included.
            models.Index(
                fields=["date_of_birth"],
                include=["id", "search_name"],
                condition=models.Q(merged_into__isnull=True),
                name="person_live_dob_name",
            ),
        ]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip() or f"Person {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class NameKind(models.TextChoices):
    PRIMARY = "primary", _("Name")
    ALIAS = "alias", _("Also known as")
    PREVIOUS = "previous", _("Previous name")


class PersonName(models.Model):
    """A name a person is known by; the primary one mirrors Person's fields."""

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="names",
        db_index=False,  # person_name_cover serves it
    )
    kind = models.CharField(max_length=10, choices=NameKind.choices, default=NameKind.ALIAS)
    given_name = models.CharField(max_length=100, blank=True, default="")
    family_name = models.CharField(max_length=100, blank=True, default="")
    normalised = models.CharField(
        max_length=210, help_text="lower case, accents folded: 'given family'"
    )

    class Meta:
        indexes = [
            GistIndex(fields=["normalised"], name="person_name_trgm", opclasses=["gist_trgm_ops"]),
            # Covering: blocking compares each candidate's names without the table.
            models.Index(fields=["person"], include=["normalised"], name="person_name_cover"),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class IdentifierKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")


class Identifier(models.Model):
    """A phone number (E.164) or email address (lower case) the person uses.

    Not unique: a household can share a landline, which is exactly why a
    phone number alone never links a contact to a person.
    """

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="identifiers",
        db_index=False,  # identifier_once_per_person starts with it
    )
    kind = models.CharField(max_length=10, choices=IdentifierKind.choices)
    value = models.CharField(max_length=254)
    first_seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "value"], name="identifier_once_per_person"
            )
        ]
        indexes = [models.Index(fields=["kind", "value"], name="identifier_lookup")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.value}"


class PersonAddress(models.Model):
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="addresses",
        db_index=False,  # person_address_person serves it
    )
    address_text = models.CharField(max_length=400)
    postcode = models.CharField(max_length=10, blank=True, default="")
    normalised = models.CharField(max_length=420, help_text="lower case, punctuation removed")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    is_current = models.BooleanField(default=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["postcode"],
                include=["person"],
                condition=~models.Q(postcode=""),
                name="person_address_pc_cover",
            ),
            GinIndex(fields=["normalised"], name="person_address_trgm", opclasses=["gin_trgm_ops"]),
            models.Index(fields=["person"], name="person_address_person"),
        ]

    def __str__(self) -> str:
        return self.address_text


class MatterRoleKind(models.TextChoices):
    REPORTER = "reporter", _("Reporter")
    VICTIM = "victim", _("Victim")
    WITNESS = "witness", _("Witness")
    SUSPECT = "suspect", _("Suspect")
    PERSON_OF_CONCERN = "person_of_concern", _("Person of concern")


class LinkMethod(models.TextChoices):
    AUTOMATIC = "automatic", _("Matched automatically")
    MANUAL = "manual", _("Linked by a handler")
    CREATED = "created", _("New person from this contact")


class MatterRole(models.Model):
    """A person's typed role on a matter (a contact now; a case when cases exist).

    One person can hold several roles across matters, and more than one on
    a matter (a reporter who is also the victim): DPA 2018 s.38(3) asks that
    victims, witnesses and suspects be told apart. An unlink ends the role
    (``ended_at``) rather than deleting it, so the history stays.
    """

    # Indexed by matter_role_person and matter_role_contact (Meta), not twice.
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="roles", db_index=False
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.PROTECT, related_name="person_roles", db_index=False
    )
    role = models.CharField(max_length=20, choices=MatterRoleKind.choices)
    method = models.CharField(max_length=10, choices=LinkMethod.choices)
    match_score = models.FloatField(null=True, blank=True)
    match_reasons = models.JSONField(default=list, blank=True)
    linked_at = models.DateTimeField(auto_now_add=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "person", "role"],
                condition=models.Q(ended_at__isnull=True),
                name="matter_role_once",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "linked_at"], name="matter_role_person"),
            models.Index(fields=["contact"], name="matter_role_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.role} on {self.contact_id}"


class MatchOutcome(models.TextChoices):
    LINKED = "linked", _("Linked to a person")
    POSSIBLE = "possible", _("Possible matches for the handler")
    NEW_PERSON = "new_person", _("No match: new person")
    NO_IDENTITY = "no_identity", _("No identity details")


class ContactMatch(models.Model):
    """That a contact has been through matching, and what came of it.

    Intake stays one INSERT into contacts; matching happens after, and
    contacts without a row here are the ones still to match.
    """

    contact = models.OneToOneField(
        "contacts.Contact", on_delete=models.CASCADE, primary_key=True, related_name="person_match"
    )
    outcome = models.CharField(max_length=12, choices=MatchOutcome.choices)
    matched_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.outcome}"


class PossibleMatch(models.Model):
    """A candidate person for a contact's reporter that the handler should decide on."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a handler")
        ACCEPTED = "accepted", _("Linked")
        REJECTED = "rejected", _("Not the same person")

    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.CASCADE,
        related_name="possible_matches",
        db_index=False,  # possible_match_once starts with it
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="possible_matches")
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "person"], name="possible_match_once")
        ]
        ordering = ["-score"]

    def __str__(self) -> str:
        return f"{self.contact_id} ~ {self.person_id} ({self.score:.1f})"


class Marker(models.Model):
    """A vulnerability or risk marker shown prominently to handlers.

    ``restricted`` markers are listed as "restricted marker" only; their
    kind and note need a stated purpose to see, and that viewing is audited.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        REVIEW_DUE = "review_due", _("Review due")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="markers",
        db_index=False,  # marker_person starts with it
    )
    kind = models.CharField(max_length=40)  # a code from policy/markers.yaml
    source = models.CharField(max_length=200)
    note = models.TextField(blank=True, default="")
    restricted = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    review_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["person", "status"], name="marker_person"),
            models.Index(
                fields=["review_on"],
                condition=models.Q(status__in=["active", "review_due"]),
                name="marker_review_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.person_id}"


class Combination(models.Model):
    """A merge of two person records (DPA "combination"), and how to undo it.

    ``moved`` lists, per table, the ids of the absorbed person's rows that
    were moved to the survivor, so that an undo moves exactly those back.
    """

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="combinations")
    absorbed = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    moved = models.JSONField(default=dict)
    merged_at = models.DateTimeField(auto_now_add=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undo_reason = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["absorbed"],
                condition=models.Q(undone_at__isnull=True),
                name="combination_absorbed_once",
            ),
            models.CheckConstraint(
                condition=~models.Q(survivor=models.F("absorbed")), name="combination_two_people"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.absorbed_id} → {self.survivor_id}"


class Rectification(models.Model):
    """A correction to a person's record (UK GDPR art. 16), with the value it replaced."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="rectifications")
    field = models.CharField(max_length=40)
    old_value = models.TextField(blank=True, default="")
    new_value = models.TextField(blank=True, default="")
    reason = models.TextField()
    rectified_at = models.DateTimeField(auto_now_add=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["rectified_at"]

    def __str__(self) -> str:
        return f"{self.field} on {self.person_id}"
