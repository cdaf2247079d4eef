"""The person books, moves or cancels their appointment from their tracking page.

Every page first checks ``may_track`` (the tracking code or the signed link
from our message, remembered in this browser's session); without it the
person is sent to the tracking page's form. Plain forms: radios of the free
times grouped by day, no JavaScript needed, the choice kept on an error.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from cairn.appointments.models import AppointmentKind, BookedVia
from cairn.appointments.priority import is_public_protection
from cairn.appointments.queries import (
    ONLINE_KINDS,
    available_slots,
    booked_appointment,
    may_book_online,
    slots_by_day,
)
from cairn.appointments.services import (
    AppointmentError,
    book_appointment,
    cancel_appointment,
    move_appointment,
)
from cairn.appointments.wording import slot_label, when, where
from cairn.cases.queries import case_for_contact
from cairn.contacts.models import Contact
from cairn.portal.appointments.forms import CancelForm, ChooseSlotForm
from cairn.portal.tracking import for_tracked_report

SLOTS_SHOWN = 40


def _back_to_status(reference: str):
    return redirect("portal:track_status", reference=reference)


def _days(slots, chosen) -> list[dict]:
    days = []
    for day in slots_by_day(slots):
        options = [
            {
                "id": f"slot-{slot.pk}",
                "pk": slot.pk,
                "label": f"{AppointmentKind(kind).label}: {slot_label(slot)}",
                "checked": str(slot.pk) == str(chosen),
            }
            for kind, in_kind in day.kinds
            for slot in in_kind
        ]
        days.append({"day": day.day, "options": options})
    if days:
        days[0]["options"][0]["id"] = "id_slot"
    return days


def _choose(request, contact: Contact, *, current=None):
    """The choose-a-time page for booking (``current`` None) or moving; the service does it."""
    case = current.case if current else case_for_contact(contact)
    division = case.division_id or contact.division_id
    priority = current.public_protection if current else is_public_protection(case)
    slots = (
        available_slots(division, kinds=ONLINE_KINDS, public_protection=priority, limit=SLOTS_SHOWN)
        if division
        else []
    )
    if current is not None:
        slots = [slot for slot in slots if slot.pk != current.slot_id]
    form = ChooseSlotForm(
        request.POST if request.method == "POST" else None, slot_ids=[slot.pk for slot in slots]
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            slot = next(slot for slot in slots if slot.pk == form.cleaned_data["slot"])
            try:
                if current is not None:
                    move_appointment(current, slot, actor=None, via=BookedVia.ONLINE)
                else:
                    book_appointment(case, contact, slot, actor=None, via=BookedVia.ONLINE)
            except (AppointmentError, ValidationError) as error:
                form.add_error("slot", error.messages if hasattr(error, "messages") else str(error))
            else:
                messages.success(
                    request,
                    _("Your appointment is booked for %(when)s. We have sent you a message too.")
                    % {"when": when(slot.starts_at)},
                )
                return _back_to_status(contact.reference)
        status = 400
    return render(
        request,
        "portal/appointments/choose.html",
        {
            "reference": contact.reference,
            "current": current,
            "current_when": when(current.slot.starts_at) if current else "",
            "current_where": where(current.slot) if current else "",
            "form": form,
            "days": _days(slots, form["slot"].value()),
        },
        status=status,
    )


@never_cache
@for_tracked_report
def book(request, contact: Contact):
    reference = contact.reference
    if booked_appointment(contact) is not None:
        return redirect("portal:appointments:move", reference=reference)
    if not may_book_online(contact):
        raise Http404
    return _choose(request, contact)


@never_cache
@for_tracked_report
def move(request, contact: Contact):
    reference = contact.reference
    current = booked_appointment(contact)
    if current is None:
        return _back_to_status(reference)
    return _choose(request, contact, current=current)


@never_cache
@for_tracked_report
def cancel(request, contact: Contact):
    reference = contact.reference
    current = booked_appointment(contact)
    if current is None:
        return _back_to_status(reference)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            cancel_appointment(
                current, reason=form.cleaned_data["reason"], actor=None, via=BookedVia.ONLINE
            )
        except (AppointmentError, ValidationError) as error:
            form.add_error(None, error.messages if hasattr(error, "messages") else str(error))
        else:
            messages.success(request, _("Your appointment is cancelled."))
            return _back_to_status(reference)
    return render(
        request,
        "portal/appointments/cancel.html",
        {
            "reference": reference,
            "current": current,
            "current_when": when(current.slot.starts_at),
            "current_where": where(current.slot),
            "form": form,
        },
        status=400 if form.errors else 200,
    )
