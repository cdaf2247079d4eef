"""The queue filters and the forms of the triage page.

The forms only carry what was typed: the triage services enforce what is
required (every THRIVE level and note, a rationale when the choice differs
from the suggestion) and their errors are shown on these forms' fields.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from cairn.accounts.models import Team
from cairn.contacts.models import Channel
from cairn.places.models import Division
from cairn.triage.models import THRIVE_DIMENSIONS, Level
from cairn.triage.policy import Policy
from cairn.workspace.design_system_forms import DesignSystemForm

MAX_NOTE = 5_000

DIMENSION_LABELS = {
    "threat": _("Threat"),
    "harm": _("Harm"),
    "risk": _("Risk"),
    "investigation": _("Investigation"),
    "vulnerability": _("Vulnerability"),
    "engagement": _("Engagement"),
}
DIMENSION_HINTS = {
    "threat": _("Is there a threat to anyone, now or soon?"),
    "harm": _("What harm has been or could be caused?"),
    "risk": _("How likely is harm, and how serious would it be?"),
    "investigation": _("What investigation is needed, and can evidence be lost?"),
    "vulnerability": _("Is anyone vulnerable, and why?"),
    "engagement": _("What does the person need from us, and how will we keep in touch?"),
}


class QueueFilterForm(DesignSystemForm):
    team = forms.ModelChoiceField(
        label=_("Team"), required=False, queryset=Team.objects.all(), empty_label=_("Any team")
    )
    division = forms.ModelChoiceField(
        label=_("Division"),
        required=False,
        queryset=Division.objects.all(),
        empty_label=_("Any division"),
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any channel")), *Channel.choices]
    )

    def filters(self) -> dict:
        """The filters for ``open_queue`` (none for invalid input)."""
        if not self.is_valid():
            return {"team": None, "division": None, "channel": None}
        data = self.cleaned_data
        return {
            "team": data["team"],
            "division": data["division"].code if data["division"] else None,
            "channel": data["channel"] or None,
        }


class ThriveForm(DesignSystemForm):
    """Six levels with a note each, and the rationale. Required-ness is the service's."""

    rationale = forms.CharField(
        label=_("Rationale"),
        help_text=_("In a few sentences: why these levels, taken together"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rationale = self.fields.pop("rationale")
        for dimension in THRIVE_DIMENSIONS:
            label = DIMENSION_LABELS[dimension]
            self.fields[dimension] = forms.ChoiceField(
                label=label,
                help_text=DIMENSION_HINTS[dimension],
                required=False,
                choices=Level.choices,
                widget=forms.RadioSelect(attrs={"class": "ds_radio__input"}),
            )
            self.fields[f"{dimension}_note"] = forms.CharField(
                label=_("Note on %(dimension)s") % {"dimension": str(label).lower()},
                required=False,
                max_length=MAX_NOTE,
                widget=forms.Textarea(attrs={"rows": 2, "class": "ds_input"}),
            )
        self.fields["rationale"] = rationale

    def dimensions(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """(level, note) for each THRIVE dimension, in order."""
        return [(self[name], self[f"{name}_note"]) for name in THRIVE_DIMENSIONS]

    def levels_and_notes(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            name: data.get(name, "")
            for dimension in THRIVE_DIMENSIONS
            for name in (dimension, f"{dimension}_note")
        }


def response_choices(policy: Policy, suggested: str = "") -> list[tuple[str, str]]:
    """Every grade and pathway of the policy as "grade:pathway", most urgent first."""
    choices = []
    for grade in policy.grades.values():
        for code in grade.pathways:
            pathway = policy.pathways[code]
            value = f"{grade.code}:{code}"
            label = f"{grade.label} – {pathway.label}"
            if value == suggested:
                label = _("%(label)s (suggested)") % {"label": label}
            choices.append((value, label))
    return choices


class ResponseForm(DesignSystemForm):
    """A grade and pathway (one radio, "grade:pathway") and a rationale."""

    response = forms.ChoiceField(
        label=_("Response"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the responses")},
        widget=forms.RadioSelect(attrs={"class": "ds_radio__input"}),
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    RATIONALE_HINT = _("Required if you choose a response other than the suggestion")
    # The service names grade and pathway; both are this form's one radio group.
    SERVICE_FIELDS = {"grade": "response", "pathway": "response"}

    def __init__(self, *args, policy: Policy, suggested: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.policy = policy
        self.fields["response"].choices = response_choices(policy, suggested)
        self.fields["rationale"].help_text = self.RATIONALE_HINT

    def groups(self) -> list[tuple[str, list]]:
        """The radios grouped under their grade's label, for a fieldset each."""
        by_grade: dict[str, list] = {}
        for radio in self["response"]:
            grade = str(radio.data["value"]).split(":", 1)[0]
            by_grade.setdefault(grade, []).append(radio)
        return [(self.policy.grades[code].label, radios) for code, radios in by_grade.items()]

    def grade_and_pathway(self) -> tuple[str, str]:
        grade, _sep, pathway = (self.cleaned_data.get("response") or "").partition(":")
        return grade, pathway


class RegradeForm(ResponseForm):
    RATIONALE_HINT = _("Always required: why the response changes")


class TransferForm(DesignSystemForm):
    department = forms.CharField(
        label=_("Department to transfer to"),
        help_text=_("For example: British Transport Police, Road Policing, another force"),
        required=False,
        max_length=80,
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        help_text=_("Always required: why another department takes it"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DismissCueForm(DesignSystemForm):
    note = forms.CharField(
        label=_("Why dismiss this cue?"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
