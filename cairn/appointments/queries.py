"""Reads for appointments: slots to offer, a contact's appointment, an officer's list, waits.

Reads that return personal data for staff take ``user=``, check the
capability and write an audit consultation. The person's own reads (the
tracking page) take the contact the portal has already let them see.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Aggregate, Count, F, FloatField, Q
from django.utils import timezone

from cairn.accounts.roles import Capability, has_capability
from cairn.appointments.models import (
    Appointment,
    AppointmentKind,
    AppointmentSlot,
    AppointmentStatus,
)
from cairn.appointments.priority import priority_hold
from cairn.appointments.wording import LONDON, local
from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.cases.models import Case
from cairn.cases.queries import case_for_contact
from cairn.contacts.models import Contact
from cairn.triage.next_steps import open_next_step

ONLINE_KINDS = (AppointmentKind.IN_PERSON, AppointmentKind.PHONE, AppointmentKind.VIDEO)
# Appointments that say how long people waited: the one finally kept, not those moved or cancelled.
WAIT_COUNTED = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.ATTENDED,
    AppointmentStatus.MISSED,
    AppointmentStatus.RESCHEDULED,
)


def available_slots(
    division_id: str,
    *,
    kinds: tuple[str, ...] | None = None,
    after: datetime | None = None,
    public_protection: bool = False,
    limit: int = 60,
) -> list[AppointmentSlot]:
    """Slots of the division with a place left, soonest first.

    Public-protection bookings have first pick: the slots in the next
    ``priority_hold()`` are offered to them only.
    """
    now = timezone.now()
    earliest = now if public_protection else now + priority_hold()
    if after is not None and after > earliest:
        earliest = after
    slots = AppointmentSlot.objects.filter(
        division_id=division_id,
        withdrawn_at__isnull=True,
        starts_at__gt=earliest,
        booked__lt=F("capacity"),
    ).select_related("station", "officer")
    if kinds:
        slots = slots.filter(kind__in=kinds)
    return list(slots.order_by("starts_at", "kind", "station__name", "pk")[:limit])


@dataclass(frozen=True)
class SlotDay:
    day: date
    kinds: list[tuple[str, list[AppointmentSlot]]]  # (kind, its slots), in AppointmentKind order


def slots_by_day(slots: list[AppointmentSlot]) -> list[SlotDay]:
    """The slots grouped by London day, then by kind: how the booking pages list them."""
    order = {kind: index for index, kind in enumerate(AppointmentKind.values)}
    days = []
    for day, in_day in groupby(slots, key=lambda slot: local(slot.starts_at).date()):
        by_kind = sorted(in_day, key=lambda slot: (order[slot.kind], slot.starts_at))
        days.append(
            SlotDay(
                day=day,
                kinds=[(kind, list(group)) for kind, group in groupby(by_kind, lambda s: s.kind)],
            )
        )
    return days


# The person's own ------------------------------------------------------------------------------


def booked_appointment(contact: Contact) -> Appointment | None:
    """The contact's appointment still to come (or under way), if one is booked."""
    return (
        Appointment.objects.filter(contact_id=contact.pk, status=AppointmentStatus.BOOKED)
        .select_related("slot", "slot__station", "case")
        .first()
    )


def may_book_online(contact: Contact) -> bool:
    """Whether the person may book an appointment for ``contact`` from their tracking page.

    When the contact's case is open, nothing is booked, and either the decision
    left an appointment to book or the last appointment needs a new time
    (rescheduled by the officer, or cancelled by the person).
    """
    case = case_for_contact(contact)
    if case is None or case.is_closed:
        return False
    if Appointment.objects.filter(contact_id=contact.pk, status=AppointmentStatus.BOOKED).exists():
        return False
    if open_next_step(contact, "appointment_to_book") is not None:
        return True
    last = Appointment.objects.filter(contact_id=contact.pk).order_by("-booked_at", "-pk").first()
    return last is not None and (
        last.status == AppointmentStatus.RESCHEDULED
        or (last.status == AppointmentStatus.CANCELLED and last.closed_by_id is None)
    )


# Staff --------------------------------------------------------------------------------------------


def _require(user: Any, capability: Capability = Capability.WORK_CASES) -> None:
    if not has_capability(user, capability):
        raise PermissionDenied


def contact_for_booking(reference: str, *, user: Any) -> tuple[Contact, Case | None] | None:
    """The contact (and its case) a handler is booking for; audited as a consultation."""
    _require(user)
    contact = Contact.objects.filter(reference=reference).select_related("division").first()
    if contact is None:
        return None
    case = case_for_contact(contact)
    record(
        Operation.CONSULTATION,
        object_type="contact",
        object_id=contact.pk,
        fields=["reference", "received_at", "division", "case", "appointments"],
        actor=user,
        purpose="appointment booking",
    )
    return contact, case


def _officer_filter(user: Any) -> Q:
    mine = Q(slot__officer=user)
    if getattr(user, "division_id", None):
        mine |= Q(slot__officer__isnull=True, slot__division_id=user.division_id)
    return mine


def officer_appointments(*, user: Any, day: date, days: int = 14) -> list[Appointment]:
    """The officer's appointments from ``day`` (London) for ``days`` days: theirs, and the
    division's that any officer may take. Audited as a consultation."""
    _require(user)
    start = datetime.combine(day, time.min, tzinfo=LONDON)
    end = start + timedelta(days=days)
    appointments = list(
        Appointment.objects.filter(_officer_filter(user))
        .filter(slot__starts_at__gte=start, slot__starts_at__lt=end)
        .exclude(status__in=(AppointmentStatus.MOVED, AppointmentStatus.CANCELLED))
        .select_related("slot", "slot__station", "slot__officer", "case", "contact")
        .order_by("slot__starts_at", "pk")
    )
    record(
        Operation.CONSULTATION,
        object_type="appointment",
        fields=["slot", "kind", "contact", "case", "home_address", "video_link"],
        actor=user,
        context={"appointments": [a.pk for a in appointments][:200], "from": day.isoformat()},
    )
    return appointments


def appointment_for_staff(reference: str, *, user: Any) -> Appointment | None:
    """One appointment for a member of staff who works cases; audited as a consultation."""
    _require(user)
    appointment = (
        Appointment.objects.filter(reference=reference)
        .select_related("slot", "slot__station", "slot__officer", "case", "contact")
        .first()
    )
    if appointment is not None:
        record(
            Operation.CONSULTATION,
            object_type="appointment",
            object_id=appointment.pk,
            fields=["slot", "kind", "contact", "case", "home_address", "video_link"],
            actor=user,
        )
    return appointment


def upcoming_slots(division_id: str, *, user: Any, days: int = 14) -> list[AppointmentSlot]:
    """The division's slots from now for ``days`` days, withdrawn ones too: the slots page."""
    _require(user, Capability.MANAGE_APPOINTMENT_SLOTS)
    now = timezone.now()
    return list(
        AppointmentSlot.objects.filter(
            division_id=division_id, starts_at__gte=now, starts_at__lt=now + timedelta(days=days)
        )
        .select_related("station", "officer")
        .order_by("starts_at", "kind", "pk")
    )


# Consistency across Scotland -------------------------------------------------------------------


class PercentileCont(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


@dataclass(frozen=True)
class DivisionWait:
    division: str
    appointments: int
    median_minutes: float
    p90_minutes: float


def waiting_times(since: datetime, until: datetime) -> list[DivisionWait]:
    """Per division, from contact to appointment, for appointments booked in [since, until).

    Counts the appointment each person kept (booked, attended, missed or
    rescheduled), not the ones moved or cancelled. Numbers only: no personal data.
    """
    rows = (
        Appointment.objects.filter(
            booked_at__gte=since, booked_at__lt=until, status__in=WAIT_COUNTED
        )
        .values("slot__division_id")
        .annotate(
            appointments=Count("pk"),
            median=PercentileCont("wait_minutes", 0.5),
            p90=PercentileCont("wait_minutes", 0.9),
        )
        .order_by("slot__division_id")
    )
    return [
        DivisionWait(
            division=row["slot__division_id"],
            appointments=row["appointments"],
            median_minutes=round(row["median"], 1),
            p90_minutes=round(row["p90"], 1),
        )
        for row in rows
    ]
