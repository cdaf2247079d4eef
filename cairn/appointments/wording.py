"""Appointments in plain words: where and when, for pages, timelines and messages."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cairn.appointments.models import AppointmentKind, AppointmentSlot

LONDON = ZoneInfo("Europe/London")

# The standard sentences an appointment writes on the case's public timeline
# (CaseUpdate.text_code); cairn.cases.public_texts holds the same sentences so
# the tracking page reads them in the person's language.
PUBLIC_TEXTS = {
    "appointment_booked": gettext_lazy(
        "We have booked an appointment with you. Its date and time are on this page."
    ),
    "appointment_moved": gettext_lazy("Your appointment has moved to the time shown on this page."),
    "appointment_cancelled": gettext_lazy("Your appointment has been cancelled."),
    "appointment_rescheduled": gettext_lazy(
        "Your appointment needs a new time. Choose one on this page, or we will contact you."
    ),
}


def local(moment: datetime) -> datetime:
    """``moment`` on London's clock (appointments are shown and grouped by London days)."""
    return moment.astimezone(LONDON)


def when(moment: datetime) -> str:
    """'Tuesday 3 March 2026, 10:00' in the active language, London time."""
    at = local(moment)
    return f"{formats.date_format(at, 'l j E Y')}, {at:%H:%M}"


def where(slot: AppointmentSlot) -> str:
    """Where the appointment happens: the station, or how it is held."""
    if slot.kind == AppointmentKind.IN_PERSON and slot.station_id:
        return _("%(station)s police station") % {"station": slot.station.name}
    return str(AppointmentKind(slot.kind).label)


def slot_label(slot: AppointmentSlot, *, officer: bool = False) -> str:
    """A slot in a list already grouped by day and kind: its time, and the station if any.

    Staff lists add the officer ("any officer" when the slot is the division's).
    """
    start, end = local(slot.starts_at), local(slot.ends_at)
    parts = [f"{start:%H:%M}–{end:%H:%M}"]
    if slot.kind == AppointmentKind.IN_PERSON and slot.station_id:
        parts.append(slot.station.name)
    if officer:
        parts.append(str(slot.officer) if slot.officer_id else _("any officer"))
    return ", ".join(parts)
