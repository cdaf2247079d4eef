"""The tracking page's appointment panel: the booked appointment, or the way to book one."""

from django.urls import reverse

from cairn.appointments.models import AppointmentKind
from cairn.appointments.queries import booked_appointment, may_book_online
from cairn.appointments.wording import when, where
from cairn.contacts.models import Contact
from cairn.portal.panels import Panel

TEMPLATE = "portal/appointments/panel.html"


def appointment_panel(request, contact: Contact) -> Panel | None:
    """What the person sees about appointments on their tracking page, if anything."""
    appointment = booked_appointment(contact)
    reference = contact.reference
    if appointment is not None:
        return Panel(
            TEMPLATE,
            {
                "appointment": appointment,
                "when": when(appointment.slot.starts_at),
                "kind": AppointmentKind(appointment.kind).label,
                "station": where(appointment.slot)
                if appointment.kind == AppointmentKind.IN_PERSON
                else "",
                "move_url": reverse("portal:appointments:move", args=[reference]),
                "cancel_url": reverse("portal:appointments:cancel", args=[reference]),
            },
        )
    if may_book_online(contact):
        return Panel(TEMPLATE, {"book_url": reverse("portal:appointments:book", args=[reference])})
    return None
