"""Local Policing Appointments: the slots officers offer and the appointments booked in them.

A slot is a time an officer (or any officer of the division) will see people:
at a station, at the person's home, by phone or by video. It takes up to
``capacity`` appointments; ``booked`` counts the places taken and the database
refuses more than the capacity (a check constraint, and the booking's guarded
``UPDATE … WHERE booked < capacity``), so two people racing for the last place
cannot both have it.

An appointment is never edited into another: moving one marks it "moved" and
books a new one that ``replaces`` it, so the history of what the person was
offered stays. A contact has at most one appointment "booked" at a time.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cairn.references import DatabaseReference

REFERENCE_SEQUENCE = "appointments_reference_seq"


class AppointmentReference(DatabaseReference):
    """The human reference, made by the database: APT-YYMMDD-NNNNN (London date)."""

    function_name = "appointments_next_reference"


class AppointmentKind(models.TextChoices):
    IN_PERSON = "in_person", _("At a police station")
    HOME_VISIT = "home_visit", _("Home visit")
    PHONE = "phone", _("Phone call")
    VIDEO = "video", _("Video call")


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    MOVED = "moved", _("Moved to another time")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    MISSED = "missed", _("Missed")
    RESCHEDULED = "rescheduled", _("To be rebooked")


class BookedVia(models.TextChoices):
    CALL = "call", _("During a call")
    ONLINE = "online", _("Online")


# Outcomes an officer records once the appointment's time has come.
OUTCOMES = (AppointmentStatus.ATTENDED, AppointmentStatus.MISSED, AppointmentStatus.RESCHEDULED)


class AppointmentSlot(models.Model):
    division = models.ForeignKey(
        "places.Division", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    station = models.ForeignKey(
        "places.Station",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Where an in-person appointment is; empty for home visits, phone and video.",
    )
    kind = models.CharField(max_length=20, choices=AppointmentKind.choices)
    starts_at = models.DateTimeField()
    duration = models.DurationField(default=timedelta(minutes=30))
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty: any officer of the division takes it.",
    )
    capacity = models.PositiveSmallIntegerField(default=1)
    booked = models.PositiveSmallIntegerField(default=0)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(
                fields=["division", "kind", "starts_at"],
                condition=Q(withdrawn_at__isnull=True),
                name="slot_open_by_division",
            ),
            models.Index(fields=["officer", "starts_at"], name="slot_officer_day"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="slot_capacity_positive"),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="slot_booked_within_capacity"
            ),
            models.CheckConstraint(
                condition=Q(kind=AppointmentKind.IN_PERSON, station__isnull=False)
                | (~Q(kind=AppointmentKind.IN_PERSON) & Q(station__isnull=True)),
                name="slot_station_when_in_person",
            ),
            models.CheckConstraint(
                condition=Q(duration__gt=timedelta(0)), name="slot_duration_positive"
            ),
            models.UniqueConstraint(
                fields=["division", "station", "kind", "officer", "starts_at"],
                nulls_distinct=False,
                name="slot_unique_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.division_id} {self.kind} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self):
        return self.starts_at + self.duration

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.booked, 0)


class Appointment(models.Model):
    reference = models.CharField(
        max_length=24, db_default=AppointmentReference(), editable=False, unique=True
    )
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="appointments")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.PROTECT, related_name="appointments", db_index=False
    )
    slot = models.ForeignKey(AppointmentSlot, on_delete=models.PROTECT, related_name="appointments")
    kind = models.CharField(
        max_length=20,
        choices=AppointmentKind.choices,
        help_text="The slot's kind, kept here so reads and constraints need no join.",
    )
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    booked_at = models.DateTimeField(default=timezone.now)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when the person booked online.",
    )
    booked_via = models.CharField(max_length=10, choices=BookedVia.choices)
    public_protection = models.BooleanField(
        default=False,
        help_text="Domestic abuse and other public-protection matters: offered the soonest slots.",
    )
    video_link = models.URLField(max_length=300, blank=True, default="")
    home_address = models.TextField(max_length=400, blank=True, default="")
    wait_minutes = models.IntegerField(
        help_text="From the contact's arrival to the appointment's start: the consistency measure."
    )
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        help_text="The appointment this one was moved from.",
    )
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was moved, cancelled or given its outcome."
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = models.CharField(max_length=300, blank=True, default="")
    reminded_day_before_at = models.DateTimeField(null=True, blank=True)
    reminded_hour_before_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["booked_at", "pk"]
        indexes = [
            models.Index(fields=["contact", "status"], name="appointment_contact_status"),
            models.Index(
                fields=["status", "slot"],
                condition=Q(status="booked"),
                name="appointment_booked",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["contact"],
                condition=Q(status="booked"),
                name="appointment_one_booked_per_contact",
            ),
            models.CheckConstraint(
                condition=~Q(kind=AppointmentKind.HOME_VISIT) | ~Q(home_address=""),
                name="appointment_home_visit_has_address",
            ),
            models.CheckConstraint(
                condition=(Q(kind=AppointmentKind.VIDEO) & ~Q(video_link=""))
                | (~Q(kind=AppointmentKind.VIDEO) & Q(video_link="")),
                name="appointment_video_link_when_video",
            ),
            models.CheckConstraint(
                condition=Q(status=AppointmentStatus.BOOKED, closed_at__isnull=True)
                | (~Q(status=AppointmentStatus.BOOKED) & Q(closed_at__isnull=False)),
                name="appointment_closed_unless_booked",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_booked(self) -> bool:
        return self.status == AppointmentStatus.BOOKED
