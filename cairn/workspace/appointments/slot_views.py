"""Slot management (MANAGE_APPOINTMENT_SLOTS): a division's next two weeks, publish, withdraw."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cairn.accounts.roles import Capability
from cairn.appointments.models import AppointmentSlot
from cairn.appointments.queries import upcoming_slots
from cairn.appointments.slot_services import SlotRun, publish_slots, withdraw_slot
from cairn.appointments.wording import when, where
from cairn.places.models import Division
from cairn.workspace.appointments.forms import PublishSlotsForm
from cairn.workspace.people.access import require

DEFAULT_DIVISION = "E"


def _require(request) -> None:
    require(request, Capability.MANAGE_APPOINTMENT_SLOTS, object_type="appointment_slot")


def _division(request) -> Division:
    code = request.GET.get("division") or request.user.division_id or DEFAULT_DIVISION
    division = Division.objects.filter(pk=code).first()
    if division is None:
        raise Http404
    return division


def _page(request, division: Division, form: PublishSlotsForm, status: int = 200):
    slots = upcoming_slots(division.pk, user=request.user)
    rows = [{"slot": slot, "when": when(slot.starts_at), "where": where(slot)} for slot in slots]
    form.describe_fields()
    return render(
        request,
        "workspace/appointments/slots.html",
        {
            "division": division,
            "divisions": Division.objects.all(),
            "rows": rows,
            "form": form,
            "error_links": form.error_links() if form.is_bound else [],
        },
        status=status,
    )


def slots(request):
    _require(request)
    division = _division(request)
    if request.method != "POST":
        return _page(request, division, PublishSlotsForm(division=division))
    form = PublishSlotsForm(request.POST, division=division)
    if form.is_valid():
        data = form.cleaned_data
        run = SlotRun(
            division=division,
            kind=data["kind"],
            station=data["station"],
            first_day=data["first_day"],
            last_day=data["last_day"],
            times=data["times"],
            weekdays=frozenset(data["weekdays"]),
            duration=data["duration"],
            capacity=data["capacity"],
            officer=data["officer"],
        )
        try:
            added = publish_slots(run, actor=request.user)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                ngettext("%(count)d slot published.", "%(count)d slots published.", len(added))
                % {"count": len(added)},
            )
            return redirect(f"{reverse('workspace:appointments_slots')}?division={division.pk}")
    return _page(request, division, form, status=400)


@require_POST
def withdraw(request, slot_id: int):
    _require(request)
    slot = AppointmentSlot.objects.filter(pk=slot_id).first()
    if slot is None:
        raise Http404
    try:
        withdraw_slot(slot, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Slot withdrawn: it is no longer offered."))
    return redirect(f"{reverse('workspace:appointments_slots')}?division={slot.division_id}")
