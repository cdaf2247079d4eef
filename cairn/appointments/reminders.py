"""Reminders: the day before and the hour before, each sent once.

``send_due_reminders`` runs every five minutes (``tasks.py``). A reminder is
due from 24 hours before the start until an hour before, the hour-before one from
then until the start (so a late run never sends both at once). Each
appointment row records that its reminder went (claimed with ``FOR UPDATE
SKIP LOCKED``, so two workers never take the same one) and the message's
idempotency key names the appointment and the reminder, so even a repeated
run queues nothing twice. Only booked appointments are reminded: a moved,
cancelled or finished one is skipped. A reminder that would arrive on the
heels of the booking itself is skipped too (booked within the day for the
day-before one, within the hour for the hour-before one).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cairn.appointments.models import Appointment, AppointmentStatus
from cairn.appointments.wording import local
from cairn.cases.notifications import tell_the_person
from cairn.events.services import record_event

BATCH = 200


@dataclass(frozen=True)
class Reminder:
    name: str  # "day" or "hour": in the idempotency key and the message
    before: timedelta
    sent_field: str
    until: timedelta  # how long before the start it stops being due (the next one takes over)


REMINDERS = (
    Reminder("day", timedelta(hours=24), "reminded_day_before_at", until=timedelta(hours=1)),
    Reminder("hour", timedelta(hours=1), "reminded_hour_before_at", until=timedelta(0)),
)


def _send(reminder: Reminder, now: datetime) -> int:
    sent = 0
    with transaction.atomic():
        due = list(
            Appointment.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(
                status=AppointmentStatus.BOOKED,
                slot__starts_at__gt=now + reminder.until,
                slot__starts_at__lte=now + reminder.before,
                booked_at__lt=F("slot__starts_at") - reminder.before,
                **{f"{reminder.sent_field}__isnull": True},
            )
            .select_related("slot", "case")
            .order_by("slot__starts_at", "pk")[:BATCH]
        )
        for appointment in due:
            Appointment.objects.filter(pk=appointment.pk).update(**{reminder.sent_field: now})
            tell_the_person(
                appointment.case,
                template="appointment_reminder",
                event_key=f"appointment-reminder-{reminder.name}:{appointment.pk}",
                context={
                    "when": local(appointment.slot.starts_at),
                    "kind": appointment.kind,
                    "reminder": reminder.name,
                },
            )
            record_event(
                "appointment.reminded",
                subject_type="appointment",
                subject_id=appointment.pk,
                division=appointment.slot.division_id,
                data={"reminder": reminder.name, "kind": appointment.kind},
            )
            sent += 1
    return sent


def send_due_reminders(now: datetime | None = None) -> dict[str, int]:
    """Queue every reminder now due; returns how many of each were queued."""
    now = now or timezone.now()
    return {reminder.name: _send(reminder, now) for reminder in REMINDERS}
