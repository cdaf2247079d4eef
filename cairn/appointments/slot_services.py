"""Writes for slots: publish a run of them, withdraw one (MANAGE_APPOINTMENT_SLOTS).

A run is every chosen time on every chosen weekday from one date to another,
London time. Publishing a time that already exists for the same division,
station, kind and officer adds nothing (a unique constraint), so publishing a
run twice is harmless.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cairn.accounts.roles import Capability, has_capability
from cairn.appointments.models import AppointmentKind, AppointmentSlot
from cairn.appointments.wording import LONDON
from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.events.services import record_event
from cairn.places.models import Division, Station

MAX_DAYS = 92
MAX_SLOTS = 1000
MAX_CAPACITY = 20
EVERY_DAY = frozenset(range(7))


@dataclass(frozen=True)
class SlotRun:
    division: Division
    kind: str
    first_day: date
    last_day: date
    times: tuple[time, ...]
    station: Station | None = None
    weekdays: frozenset[int] = field(default=EVERY_DAY)  # Monday is 0
    duration: timedelta = timedelta(minutes=30)
    capacity: int = 1
    officer: Any = None

    def starts(self) -> list[datetime]:
        """Every start in the run, as aware datetimes (London wall-clock times)."""
        moments = []
        day = self.first_day
        while day <= self.last_day:
            if day.weekday() in self.weekdays:
                moments.extend(datetime.combine(day, at, tzinfo=LONDON) for at in self.times)
            day += timedelta(days=1)
        return moments


def _require(actor: Any) -> None:
    if not has_capability(actor, Capability.MANAGE_APPOINTMENT_SLOTS):
        raise PermissionDenied


def _check(run: SlotRun) -> None:
    errors: dict[str, str] = {}
    if run.kind not in AppointmentKind.values:
        errors["kind"] = _("Choose how the appointments are held.")
    elif run.kind == AppointmentKind.IN_PERSON:
        if run.station is None:
            errors["station"] = _("Choose the police station.")
        elif run.station.division_id != run.division.pk:
            errors["station"] = _("Choose a station in the division.")
    elif run.station is not None:
        errors["station"] = _("Only appointments at a police station have a station.")
    if run.last_day < run.first_day:
        errors["last_day"] = _("The last day must be on or after the first day.")
    elif (run.last_day - run.first_day).days >= MAX_DAYS:
        errors["last_day"] = _("Publish at most %(days)d days at a time.") % {"days": MAX_DAYS}
    if not run.times:
        errors["times"] = _("Give at least one time, like 09:00.")
    if not run.weekdays:
        errors["weekdays"] = _("Choose at least one day of the week.")
    if not 1 <= run.capacity <= MAX_CAPACITY:
        errors["capacity"] = _("Each slot takes from 1 to %(max)d appointments.") % {
            "max": MAX_CAPACITY
        }
    if not timedelta(minutes=5) <= run.duration <= timedelta(hours=4):
        errors["duration"] = _("An appointment lasts from 5 minutes to 4 hours.")
    if run.officer is not None and not getattr(run.officer, "is_active", False):
        errors["officer"] = _("Choose an officer whose account is active.")
    if errors:
        raise ValidationError(errors)


def publish_slots(run: SlotRun, *, actor: Any) -> list[AppointmentSlot]:
    """Publish the run's slots that are still in the future; returns the ones added."""
    _require(actor)
    _check(run)
    now = timezone.now()
    starts = [moment for moment in run.starts() if moment > now]
    if len(starts) > MAX_SLOTS:
        raise ValidationError(
            _("That is %(count)d slots: publish at most %(max)d at a time.")
            % {"count": len(starts), "max": MAX_SLOTS}
        )
    if not starts:
        raise ValidationError({"first_day": _("Every time in that run has already passed.")})
    with transaction.atomic():
        existing = set(
            AppointmentSlot.objects.filter(
                division=run.division,
                station=run.station,
                kind=run.kind,
                officer=run.officer,
                starts_at__in=starts,
            ).values_list("starts_at", flat=True)
        )
        slots = [
            AppointmentSlot(
                division=run.division,
                station=run.station,
                kind=run.kind,
                starts_at=moment,
                duration=run.duration,
                officer=run.officer,
                capacity=run.capacity,
                published_by=actor,
            )
            for moment in starts
            if moment not in existing
        ]
        # ignore_conflicts: a run published at the same moment by someone else adds nothing twice.
        AppointmentSlot.objects.bulk_create(slots, ignore_conflicts=True)
        record(
            Operation.COLLECTION,
            object_type="appointment_slot",
            fields=["division", "station", "kind", "starts_at", "capacity", "officer"],
            actor=actor,
            context={"division": run.division.pk, "kind": run.kind, "added": len(slots)},
        )
        record_event(
            "appointment.slots_published",
            subject_type="division",
            subject_id=run.division.pk,
            division=run.division.pk,
            data={
                "kind": run.kind,
                "station": getattr(run.station, "pk", None),
                "slots": len(slots),
                "places": len(slots) * run.capacity,
            },
        )
        return slots


def withdraw_slot(slot: AppointmentSlot, *, actor: Any) -> AppointmentSlot:
    """Stop offering ``slot``. Refused while appointments are booked in it: move those first."""
    _require(actor)
    with transaction.atomic():
        locked = AppointmentSlot.objects.select_for_update().get(pk=slot.pk)
        if locked.withdrawn_at is not None:
            return locked
        if locked.booked:
            raise ValidationError(
                _(
                    "This slot has %(count)d appointment(s) booked. Move or cancel them, "
                    "then withdraw it."
                )
                % {"count": locked.booked}
            )
        locked.withdrawn_at = timezone.now()
        locked.save(update_fields=["withdrawn_at"])
        slot.withdrawn_at = locked.withdrawn_at
        record(
            Operation.ALTERATION,
            object_type="appointment_slot",
            object_id=locked.pk,
            fields=["withdrawn_at"],
            actor=actor,
        )
        record_event(
            "appointment.slot_withdrawn",
            subject_type="appointment_slot",
            subject_id=locked.pk,
            division=locked.division_id,
            data={"kind": locked.kind, "capacity": locked.capacity},
        )
        return locked
