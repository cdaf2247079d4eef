"""Forms for supervisor quality review: the structured review, the measure's period, the diff."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cairn.places.models import Division
from cairn.triage.models import ReviewOutcome
from cairn.workspace.design_system_forms import DesignSystemForm

DEFAULT_PERIOD_DAYS = 28


def _outcome_field(label: str, required_message: str, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        help_text=help_text,
        choices=ReviewOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": required_message,
            "invalid_choice": _("Choose one of the answers given"),
        },
    )


class ReviewForm(DesignSystemForm):
    """The supervisor's structured review. The service checks it all again."""

    thrive_complete = _outcome_field(
        _("Is the THRIVE assessment complete?"),
        _("Say whether the THRIVE assessment is complete"),
        _("A level and a note for each of the six, and a summary that explains them."),
    )
    grade_appropriate = _outcome_field(
        _("Were the grade and pathway appropriate?"),
        _("Say whether the grade and pathway were appropriate"),
        _("Judged on what the handler knew at the time, under the policy in force."),
    )
    rationale_clear = _outcome_field(
        _("Is the rationale clear?"),
        _("Say whether the rationale is clear"),
        _("Would someone reading the record later understand why?"),
    )
    outcome = _outcome_field(_("Overall outcome"), _("Choose the overall outcome"))
    feedback = forms.CharField(
        label=_("Feedback to the handler"),
        help_text=_("What went well and what to do differently. The handler reads this."),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Write feedback for the handler"),
            "max_length": _("Keep the feedback to %(limit_value)d characters"),
        },
    )

    QUESTIONS = ("thrive_complete", "grade_appropriate", "rationale_clear", "outcome")

    def clean_feedback(self) -> str:
        return self.cleaned_data["feedback"].replace("\r\n", "\n")


def _days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


class QualityPeriodForm(DesignSystemForm):
    since = forms.DateField(
        label=_("From (date)"),
        widget=forms.DateInput(attrs={"type": "date", "class": "ds_input ds_input--fixed-10"}),
        error_messages={
            "required": _("Enter the first day of the period"),
            "invalid": _("Enter a real date, for example 2026-03-01"),
        },
    )
    until = forms.DateField(
        label=_("To (date, inclusive)"),
        widget=forms.DateInput(attrs={"type": "date", "class": "ds_input ds_input--fixed-10"}),
        error_messages={
            "required": _("Enter the last day of the period"),
            "invalid": _("Enter a real date, for example 2026-03-31"),
        },
    )
    division = forms.ChoiceField(label=_("Division"), required=False)

    def __init__(self, data=None, **kwargs):
        if data is not None and not data:
            data = None  # the first visit: show the last four weeks
        super().__init__(
            data,
            initial={"since": _days_ago(DEFAULT_PERIOD_DAYS - 1), "until": _days_ago(0)},
            **kwargs,
        )
        self.fields["division"].choices = [
            ("", _("All divisions")),
            *((division.code, str(division)) for division in Division.objects.all()),
        ]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date must be the same as or after the start date"))
        return data

    def period(self) -> tuple[date, date, str]:
        """(since, until, division) from the data, or the default period when unbound."""
        if self.is_bound:
            data = self.cleaned_data
            return data["since"], data["until"], data["division"]
        return self.initial["since"], self.initial["until"], ""


class PolicyDiffForm(DesignSystemForm):
    a = forms.TypedChoiceField(
        label=_("From version"),
        coerce=int,
        error_messages={
            "required": _("Choose the version to compare from"),
            "invalid_choice": _("Choose a version from the list"),
        },
    )
    b = forms.TypedChoiceField(
        label=_("To version"),
        coerce=int,
        error_messages={
            "required": _("Choose the version to compare to"),
            "invalid_choice": _("Choose a version from the list"),
        },
    )

    def __init__(self, data, versions, **kwargs):
        super().__init__(data, **kwargs)
        choices = [("", _("Choose a version"))] + [
            (str(version.pk), f"{version.name} ({version.digest[:12]})") for version in versions
        ]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices
