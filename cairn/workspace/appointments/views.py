"""Appointments in the workspace: book (or move) during the call, one appointment, my list.

Booking is two steps, both plain forms: choose a time from the soonest slots
of the case's division (grouped by day and kind), then confirm. Views check
WORK_CASES, call ``cairn.appointments``' queries (audited) and services, show
the services' refusals on the form, and redirect after a success.
"""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cairn.accounts.roles import Capability
from cairn.appointments.models import AppointmentKind, AppointmentSlot, BookedVia
from cairn.appointments.priority import is_public_protection
from cairn.appointments.queries import (
    appointment_for_staff,
    available_slots,
    booked_appointment,
    contact_for_booking,
    officer_appointments,
    slots_by_day,
)
from cairn.appointments.services import (
    AppointmentError,
    SlotTaken,
    book_appointment,
    cancel_appointment,
    move_appointment,
    record_outcome,
)
from cairn.appointments.wording import LONDON, slot_label, when, where
from cairn.cases.categories import category_label
from cairn.workspace.appointments.forms import (
    BookingForm,
    CancelForm,
    OutcomeForm,
    SlotFilterForm,
)
from cairn.workspace.people.access import may, require

SLOTS_SHOWN = 60


def _require(request) -> None:
    require(request, Capability.WORK_CASES, object_type="appointment")


def _slot_filter(request, case, contact, current):
    """The GET form choosing which slots to list, and what it chose (or the defaults)."""
    division = (
        (case.division_id if case else None) or contact.division_id or request.user.division_id
    )
    priority = bool(case and is_public_protection(case)) or bool(
        current and current.public_protection
    )
    bound = "division" in request.GET
    form = SlotFilterForm(
        request.GET if bound else None,
        initial={"division": division, "public_protection": priority},
        auto_id="filter_%s",
    )
    kind = ""
    if bound and form.is_valid():
        division = form.cleaned_data["division"].pk
        kind = form.cleaned_data["kind"]
        priority = form.cleaned_data["public_protection"]
    return form.describe_fields(), division, kind, priority


def _days(slots: list[AppointmentSlot], chosen) -> list[dict]:
    """The slots by day, then kind, each with its label and whether it is the chosen one.

    The first radio's id is the field's (``id_slot``), so the error summary links to it.
    """
    days = []
    for day in slots_by_day(slots):
        options = [
            {
                "id": f"slot-{slot.pk}",
                "pk": slot.pk,
                "label": f"{AppointmentKind(kind).label}: {slot_label(slot, officer=True)}",
                "places": slot.places_left,
                "checked": str(slot.pk) == str(chosen),
            }
            for kind, in_kind in day.kinds
            for slot in in_kind
        ]
        days.append({"day": day.day, "options": options})
    if days:
        days[0]["options"][0]["id"] = "id_slot"
    return days


def _book(request, form, *, slot, case, contact, current, priority):
    address = form.cleaned_data["home_address"]
    if current is not None:
        return move_appointment(
            current, slot, actor=request.user, via=BookedVia.CALL, home_address=address
        )
    return book_appointment(
        case,
        contact,
        slot,
        actor=request.user,
        via=BookedVia.CALL,
        home_address=address,
        public_protection=priority,
    )


def book(request, reference: str):
    """Book an appointment for a contact during the call, or move the one it has."""
    _require(request)
    found = contact_for_booking(reference, user=request.user)
    if found is None:
        raise Http404
    contact, case = found
    current = booked_appointment(contact)
    filter_form, division, kind, priority = _slot_filter(request, case, contact, current)
    bookable = case is not None and not case.is_closed and division
    slots = (
        available_slots(
            division,
            kinds=(kind,) if kind else None,
            public_protection=priority,
            limit=SLOTS_SHOWN,
        )
        if bookable
        else []
    )
    if current is not None:
        slots = [slot for slot in slots if slot.pk != current.slot_id]
    form = BookingForm(
        request.POST if request.method == "POST" else None, slot_ids=[slot.pk for slot in slots]
    )
    action = request.POST.get("action", "")
    if request.method == "POST" and bookable and form.is_valid():
        slot = next(slot for slot in slots if slot.pk == form.cleaned_data["slot"])
        needs_address = slot.kind == AppointmentKind.HOME_VISIT and not (
            form.cleaned_data["home_address"].strip() or (current and current.home_address)
        )
        if needs_address:
            form.add_error("home_address", _("Enter the address for the home visit."))
        elif action == "confirm":
            try:
                appointment = _book(
                    request,
                    form,
                    slot=slot,
                    case=case,
                    contact=contact,
                    current=current,
                    priority=priority,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            except SlotTaken as error:
                form.add_error("slot", str(error))
            except AppointmentError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Appointment %(reference)s booked for %(when)s. The person has been told.")
                    % {"reference": appointment.reference, "when": when(slot.starts_at)},
                )
                return redirect("workspace:appointments_detail", reference=appointment.reference)
        elif action != "change":
            return render(
                request,
                "workspace/appointments/confirm.html",
                {
                    "contact": contact,
                    "case": case,
                    "current": current,
                    "form": form,
                    "slot": slot,
                    "when": when(slot.starts_at),
                    "where": where(slot),
                    "priority": priority,
                },
            )
    form.describe_fields()
    return render(
        request,
        "workspace/appointments/book.html",
        {
            "contact": contact,
            "case": case,
            "category": category_label(case.category) if case else "",
            "current": current,
            "current_when": when(current.slot.starts_at) if current else "",
            "current_where": where(current.slot) if current else "",
            "filter_form": filter_form,
            "form": form,
            "error_links": form.error_links() if form.is_bound else [],
            "days": _days(slots, form["slot"].value()),
            "bookable": bookable,
            "priority": priority,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _detail_context(request, appointment, **extra) -> dict:
    return {
        "appointment": appointment,
        "when": when(appointment.slot.starts_at),
        "where": where(appointment.slot),
        "outcome_choices": OutcomeForm.base_fields["outcome"].choices,
        "cancel_form": extra.pop("cancel_form", None) or CancelForm(prefix="cancel"),
        "move_url": reverse("workspace:appointments_book", args=[appointment.contact.reference]),
        **extra,
    }


def detail(request, reference: str):
    _require(request)
    appointment = appointment_for_staff(reference, user=request.user)
    if appointment is None:
        raise Http404
    return render(
        request, "workspace/appointments/detail.html", _detail_context(request, appointment)
    )


@require_POST
def cancel(request, reference: str):
    _require(request)
    appointment = appointment_for_staff(reference, user=request.user)
    if appointment is None:
        raise Http404
    form = CancelForm(request.POST, prefix="cancel")
    if form.is_valid():
        try:
            cancel_appointment(appointment, reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as error:
            form.add_service_errors(error)
        except AppointmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Appointment cancelled. The person has been told."))
            return redirect("workspace:appointments_detail", reference=appointment.reference)
    form.describe_fields()
    context = _detail_context(
        request, appointment, cancel_form=form, error_links=form.error_links()
    )
    return render(request, "workspace/appointments/detail.html", context, status=400)


@require_POST
def outcome(request, reference: str):
    """Attended, missed or to be rebooked: from the officer's list or the appointment's page."""
    _require(request)
    appointment = appointment_for_staff(reference, user=request.user)
    if appointment is None:
        raise Http404
    form = OutcomeForm(request.POST)
    back = (
        reverse("workspace:appointments_mine")
        if request.POST.get("back") == "mine"
        else reverse("workspace:appointments_detail", args=[appointment.reference])
    )
    if not form.is_valid():
        messages.error(request, _("Choose attended, missed or to be rebooked."))
        return redirect(back)
    try:
        record_outcome(appointment, outcome=form.cleaned_data["outcome"], actor=request.user)
    except AppointmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(reference)s: %(outcome)s recorded.")
            % {"reference": appointment.reference, "outcome": appointment.get_status_display()},
        )
    return redirect(back)


def mine(request):
    """The officer's appointments today and for the next two weeks, with their outcome buttons."""
    _require(request)
    today = timezone.localdate(timezone.now(), LONDON)
    appointments = officer_appointments(user=request.user, day=today, days=14)
    tomorrow = today + timedelta(days=1)
    rows = [
        {
            "appointment": appointment,
            "when": when(appointment.slot.starts_at),
            "where": where(appointment.slot),
            "today": appointment.slot.starts_at.astimezone(LONDON).date() < tomorrow,
        }
        for appointment in appointments
    ]
    return render(
        request,
        "workspace/appointments/mine.html",
        {
            "today_rows": [row for row in rows if row["today"]],
            "upcoming_rows": [row for row in rows if not row["today"]],
            "outcome_choices": OutcomeForm.base_fields["outcome"].choices,
            "manages_slots": may(request, Capability.MANAGE_APPOINTMENT_SLOTS),
        },
    )
