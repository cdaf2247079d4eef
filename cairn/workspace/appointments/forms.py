"""Forms for the appointment pages: which slots to show, the booking, outcomes, publishing."""

import re
from datetime import time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cairn.accounts.models import StaffUser
from cairn.accounts.roles import Role
from cairn.appointments.models import OUTCOMES, AppointmentKind, AppointmentStatus
from cairn.places.models import Division, Station
from cairn.workspace.design_system_forms import DesignSystemForm

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


class SlotFilterForm(DesignSystemForm):
    """Which slots the booking page lists (a GET form, so it works without JavaScript)."""

    division = forms.ModelChoiceField(
        queryset=Division.objects.all(), label=_("Division"), empty_label=None
    )
    kind = forms.ChoiceField(
        choices=[("", _("Any kind")), *AppointmentKind.choices],
        required=False,
        label=_("Kind of appointment"),
    )
    public_protection = forms.BooleanField(
        required=False,
        label=_("Public protection (domestic abuse, a person at risk): offer the soonest times"),
    )


class BookingForm(DesignSystemForm):
    slot = forms.TypedChoiceField(
        coerce=int,
        label=_("Choose a time"),
        error_messages={"required": _("Choose a time for the appointment.")},
    )
    home_address = forms.CharField(
        required=False,
        max_length=400,
        label=_("Address for a home visit"),
        help_text=_("Only for a home visit: where the officer goes."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, slot_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [(pk, str(pk)) for pk in slot_ids]
        self.fields["slot"].error_messages["invalid_choice"] = _(
            "That time is no longer offered. Choose another."
        )


class CancelForm(DesignSystemForm):
    reason = forms.CharField(
        max_length=300,
        label=_("Why is it cancelled?"),
        error_messages={"required": _("Say why the appointment is cancelled.")},
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[(value, AppointmentStatus(value).label) for value in OUTCOMES]
    )


def _officers():
    return StaffUser.objects.filter(
        is_active=True, role__in=[Role.LOCAL_OFFICER, Role.SUPERVISOR]
    ).order_by("last_name", "first_name")


class PublishSlotsForm(DesignSystemForm):
    kind = forms.ChoiceField(choices=AppointmentKind.choices, label=_("Kind of appointment"))
    station = forms.ModelChoiceField(
        queryset=Station.objects.none(),
        required=False,
        label=_("Police station"),
        empty_label=_("None (home visit, phone or video)"),
    )
    first_day = forms.DateField(
        label=_("First day"),
        help_text=_("For example 2026-03-02"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    last_day = forms.DateField(
        label=_("Last day"),
        help_text=_("For example 2026-03-13"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    times = forms.CharField(
        label=_("Start times"),
        help_text=_("Separated by commas, for example 09:00, 09:30, 14:00"),
        max_length=400,
    )
    weekdays = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        label=_("Days of the week"),
        widget=forms.CheckboxSelectMultiple,
        initial=[0, 1, 2, 3, 4],
    )
    duration = forms.IntegerField(
        min_value=5, max_value=240, initial=30, label=_("Length in minutes")
    )
    capacity = forms.IntegerField(
        min_value=1,
        max_value=20,
        initial=1,
        label=_("Appointments per slot"),
        help_text=_("How many people the officer sees at each time."),
    )
    officer = forms.ModelChoiceField(
        queryset=StaffUser.objects.none(),
        required=False,
        label=_("Officer"),
        empty_label=_("Any officer of the division"),
    )

    def __init__(self, *args, division: Division, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = Station.objects.filter(division=division)
        self.fields["officer"].queryset = _officers().filter(division=division)

    def clean_times(self) -> tuple[time, ...]:
        starts = []
        for part in re.split(r"[,\s]+", self.cleaned_data["times"].strip()):
            if not part:
                continue
            match = TIME.match(part)
            if not match:
                raise ValidationError(
                    _("%(value)s is not a time: write times like 09:00 or 14:30.")
                    % {"value": part[:10]}
                )
            starts.append(time(int(match.group(1)), int(match.group(2))))
        if not starts:
            raise ValidationError(_("Give at least one time, like 09:00."))
        return tuple(sorted(set(starts)))

    def clean_duration(self) -> timedelta:
        return timedelta(minutes=self.cleaned_data["duration"])
