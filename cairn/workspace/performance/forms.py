"""The dashboards' filters: a London date range, a division and a channel (a GET form)."""

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from cairn.contacts.models import Channel
from cairn.performance.queries import Filters, Period
from cairn.performance.tables import last_full_days, london_today
from cairn.places.models import Division
from cairn.workspace.design_system_forms import DesignSystemForm

DEFAULT_DAYS = 28
LONGEST_DAYS = 366
EARLIEST = date(2000, 1, 1)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PerformanceFilterForm(DesignSystemForm):
    first = forms.DateField(
        label=_("From"),
        required=False,
        widget=_date_input(),
        help_text=_("For example, 1 11 2026. Leave both dates empty for the last 28 full days."),
    )
    last = forms.DateField(label=_("To (inclusive)"), required=False, widget=_date_input())
    division = forms.ChoiceField(label=_("Division"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = [
            ("", _("All divisions")),
            *((division.code, str(division)) for division in Division.objects.all()),
        ]
        self.fields["channel"].choices = [("", _("All channels")), *Channel.choices]
        if not self.is_bound:
            default = last_full_days(DEFAULT_DAYS)
            self.initial = {"first": default.first, "last": default.last, **self.initial}

    def clean(self):
        data = super().clean()
        if "first" in self.errors or "last" in self.errors:
            return data
        first, last = data.get("first"), data.get("last")
        today = london_today()
        if first is None and last is None:
            default = last_full_days(DEFAULT_DAYS, today)
            first, last = default.first, default.last
        elif last is None:
            last = min(first + timedelta(days=DEFAULT_DAYS - 1), today)
        elif first is None:
            first = last - timedelta(days=DEFAULT_DAYS - 1)
        if first < EARLIEST:
            self.add_error("first", _("The start date must be in 2000 or later"))
        if last > today:
            self.add_error("last", _("The end date must be today or earlier"))
        if last < first:
            self.add_error("last", _("The end date must be the same as or after the start date"))
        elif (last - first).days + 1 > LONGEST_DAYS:
            self.add_error("last", _("Choose a period of at most 366 days"))
        data["first"], data["last"] = first, last
        return data

    def period(self) -> Period:
        return Period(self.cleaned_data["first"], self.cleaned_data["last"])

    def filters(self) -> Filters:
        return Filters(
            division=self.cleaned_data.get("division") or "",
            channel=self.cleaned_data.get("channel") or "",
        )


def filter_form(request) -> PerformanceFilterForm:
    """Bound to the query string when it has any filter, so the defaults show otherwise."""
    names = ("first", "last", "division", "channel")
    data = request.GET if any(name in request.GET for name in names) else None
    form = PerformanceFilterForm(data)
    if data is None:
        # Unbound forms do not validate: validate the defaults so views read one way.
        form = PerformanceFilterForm(
            {
                "first": form.initial["first"].isoformat(),
                "last": form.initial["last"].isoformat(),
            }
        )
    form.is_valid()
    return form.describe_fields()
