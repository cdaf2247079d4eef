"""The forms of the people pages.

They carry what was typed; the people services decide what is allowed (a
future review date, a reason for a merge) and their errors are shown on
these forms' fields (``DesignSystemForm.add_service_errors``).
"""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cairn.people.marker_kinds import marker_kinds
from cairn.people.models import AccessNeed, MatterRoleKind, PreferredChannel
from cairn.people.rectification import RECTIFIABLE
from cairn.workspace.design_system_forms import DesignSystemForm

MAX_REASON = 2_000
DATE_WIDGET_ATTRS = {"type": "date", "class": "ds_input ds_input--fixed-10"}


def _reason(label, required_message, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": required_message,
            "max_length": _("Keep it to %(limit_value)d characters"),
        },
    )


def _date(label, help_text="") -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=help_text,
        required=False,
        widget=forms.DateInput(attrs=DATE_WIDGET_ATTRS),
        error_messages={"invalid": _("Enter a real date, for example 2026-09-30")},
    )


class PersonSearchForm(DesignSystemForm):
    q = forms.CharField(
        label=_("Phone number, email address or name"),
        max_length=200,
        error_messages={"required": _("Enter a phone number, email address or name")},
    )


class RevealMarkerForm(DesignSystemForm):
    purpose = forms.CharField(
        label=_("Why do you need to see this?"),
        help_text=_("Your reason is recorded with your name."),
        max_length=500,
        widget=forms.TextInput(attrs={"class": "ds_input ds_input--fixed-20"}),
        error_messages={
            "required": _("Say why you need to see this marker"),
            "max_length": _("Keep it to %(limit_value)d characters"),
        },
    )


class RestrictedChoice:
    DEFAULT = ""
    YES = "yes"
    NO = "no"


class MarkerForm(DesignSystemForm):
    """A new marker. The kind's own default decides "restricted" unless the handler says."""

    kind = forms.ChoiceField(
        label=_("Kind of marker"), error_messages={"required": _("Choose the kind of marker")}
    )
    source = forms.CharField(
        label=_("Source"),
        help_text=_("Where this information comes from, for example a partner referral"),
        max_length=200,
        error_messages={"required": _("Say where this information comes from")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    restricted = forms.ChoiceField(
        label=_("Restricted"),
        help_text=_("Staff must state a purpose to see a restricted marker's details."),
        required=False,
        choices=[
            (RestrictedChoice.DEFAULT, _("As usual for this kind of marker")),
            (RestrictedChoice.YES, _("Restricted")),
            (RestrictedChoice.NO, _("Not restricted")),
        ],
    )
    review_on = _date(_("Review date (optional)"), _("Leave empty for the usual review period"))
    expires_on = _date(_("Expiry date (optional)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        groups: dict[str, list[tuple[str, str]]] = {"vulnerability": [], "risk": []}
        for code, kind in marker_kinds().items():
            label = kind.label
            if kind.restricted:
                label = _("%(label)s (restricted as usual)") % {"label": label}
            groups.setdefault(kind.kind, []).append((code, label))
        self.fields["kind"].choices = [
            ("", _("Choose a kind")),
            (_("Vulnerability"), groups["vulnerability"]),
            (_("Risk"), groups["risk"]),
        ]

    def restricted_value(self) -> bool | None:
        choice = self.cleaned_data.get("restricted", "")
        if choice == RestrictedChoice.YES:
            return True
        if choice == RestrictedChoice.NO:
            return False
        return None


class MarkerReviewForm(DesignSystemForm):
    KEEP, WITHDRAW = "keep", "withdraw"

    decision = forms.ChoiceField(
        label=_("Your review"),
        widget=forms.RadioSelect,
        choices=[(KEEP, _("Keep the marker")), (WITHDRAW, _("Withdraw the marker"))],
        error_messages={"required": _("Choose whether to keep or withdraw the marker")},
    )
    next_review_on = _date(
        _("Next review date"), _("If you keep it. Leave empty for the usual review period")
    )
    note = forms.CharField(
        label=_("Note"),
        help_text=_("Needed when you withdraw the marker"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    # The service names the date "review_on".
    SERVICE_FIELDS = {"review_on": "next_review_on"}


class MergeForm(DesignSystemForm):
    reason = _reason(
        _("Why are these the same person?"),
        _("Say why these are the same person"),
        _("For example: same date of birth and phone number, confirmed with the caller"),
    )


class UndoMergeForm(DesignSystemForm):
    reason = _reason(
        _("Why are these not the same person?"), _("Say why these are not the same person")
    )


class LinkPersonForm(DesignSystemForm):
    """Link one of the people found to the contact, with a role."""

    q = forms.CharField(widget=forms.HiddenInput(attrs={"id": "link-q"}), required=False)
    person = forms.TypedChoiceField(
        label=_("Person"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the person to link"),
            "invalid_choice": _("Choose one of the people found"),
        },
    )
    role = forms.ChoiceField(
        label=_("Their role on this contact"),
        widget=forms.RadioSelect,
        choices=MatterRoleKind.choices,
        error_messages={"required": _("Choose the person's role")},
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [
            (person.pk, _person_choice_label(person)) for person in people
        ]


def _person_choice_label(person) -> str:
    name = person.full_name or _("Person %(id)s") % {"id": person.pk}
    if person.date_of_birth:
        return _("%(name)s, born %(date)s") % {
            "name": name,
            "date": person.date_of_birth.strftime("%-d %b %Y"),
        }
    return name


class UnlinkForm(DesignSystemForm):
    reason = _reason(
        _("Why is this person not linked to the contact?"),
        _("Say why this person is not linked to the contact"),
    )


class RectifyForm(DesignSystemForm):
    field = forms.ChoiceField(
        label=_("What to correct"),
        error_messages={"required": _("Choose what to correct")},
    )
    value = forms.CharField(
        label=_("The correct value"),
        help_text=_(
            "Dates as YYYY-MM-DD. Access needs as codes separated by commas: "
            "bsl, text_relay, easy_read, interpreter. Leave empty to clear it."
        ),
        required=False,
        max_length=400,
    )
    reason = _reason(_("Why is it being corrected?"), _("Say why the record is being corrected"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("Choose a field")), *RECTIFIABLE.items()]


class PreferencesForm(DesignSystemForm):
    """How the person wants to be contacted and what they need (recorded during a call)."""

    preferred_language = forms.ChoiceField(label=_("Preferred language"), required=False)
    access_needs = forms.MultipleChoiceField(
        label=_("Access needs"),
        required=False,
        choices=AccessNeed.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    interpreter_language = forms.CharField(
        label=_("Interpreter language (if needed)"), required=False, max_length=40
    )
    preferred_channel = forms.ChoiceField(
        label=_("Preferred way to contact"),
        required=False,
        choices=[("", _("No preference")), *PreferredChannel.choices],
    )
    preferred_times = forms.CharField(
        label=_("Best times to contact"),
        help_text=_("For example: weekday evenings, not before 10am"),
        required=False,
        max_length=200,
    )
    consents_to_updates = forms.BooleanField(
        label=_("They agree to receive updates about their reports"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_language"].choices = [
            ("", _("Not known")),
            *((code, str(name)) for code, name in settings.LANGUAGES),
        ]
