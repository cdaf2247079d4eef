"""The worklist's filters and the case page's forms.

The forms carry what was typed; the cases services decide what is required
(a rationale to hand on, an outcome to close) and their errors are shown on
these forms' fields. Fields are optional here so that the service's plain
message is the one the officer reads.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from cairn.accounts.models import StaffUser, Team
from cairn.accounts.roles import ROLE_CAPABILITIES, Capability
from cairn.cases.models import MAX_CLASSIFICATION_LENGTH, MAX_UPDATE_LENGTH
from cairn.places.models import Division
from cairn.resolution.services import ContactMethod
from cairn.workspace.design_system_forms import DesignSystemForm

ALL_DIVISIONS = "all"
NEEDS = [
    ("", _("Anything")),
    ("new", _("New: nobody has taken it")),
    ("person_waiting", _("The person has written")),
    ("overdue", _("Overdue")),
]
RADIO = {"class": "ds_radio__input"}


class WorklistFilterForm(DesignSystemForm):
    """A supervisor's filters: division (their own by default), team, what needs doing."""

    division = forms.ChoiceField(label=_("Division"), required=False)
    team = forms.ModelChoiceField(
        label=_("Team"), required=False, queryset=Team.objects.all(), empty_label=_("Any team")
    )
    needs = forms.ChoiceField(label=_("Needs"), required=False, choices=NEEDS)

    def __init__(self, *args, own_division: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        own = _("My division") if own_division else _("Every division")
        self.fields["division"].choices = [
            ("", own),
            (ALL_DIVISIONS, _("Every division")),
            *((division.code, str(division)) for division in Division.objects.order_by("name")),
        ]


class UpdateForm(DesignSystemForm):
    text = forms.CharField(
        label=_("Update"),
        help_text=_("In plain words. A shared update is shown to the person and they are told."),
        required=False,
        max_length=MAX_UPDATE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    shared = forms.ChoiceField(
        label=_("Who sees it"),
        choices=[
            ("no", _("Internal: staff only")),
            ("yes", _("Shared with the person")),
        ],
        initial="no",
        error_messages={"required": _("Choose who sees the update")},
        widget=forms.RadioSelect(attrs=RADIO),
    )


class ResolutionContactForm(DesignSystemForm):
    method = forms.ChoiceField(
        label=_("How you contacted them"),
        choices=ContactMethod.choices,
        error_messages={"required": _("Choose phone call or video call")},
        widget=forms.RadioSelect(attrs=RADIO),
    )
    reached = forms.ChoiceField(
        label=_("Did you speak with the person?"),
        choices=[("yes", _("Yes")), ("no", _("No, could not reach them"))],
        error_messages={"required": _("Say whether you spoke with the person")},
        widget=forms.RadioSelect(attrs=RADIO),
    )
    outcome = forms.CharField(
        label=_("Outcome"),
        help_text=_("What was said and agreed, or what you will try next"),
        required=False,
        max_length=MAX_UPDATE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CrimeForm(DesignSystemForm):
    classification = forms.CharField(
        label=_("Crime classification"),
        help_text=_("For example: Theft of pedal cycle"),
        required=False,
        max_length=MAX_CLASSIFICATION_LENGTH,
    )


def _case_workers():
    roles = [
        role
        for role, capabilities in ROLE_CAPABILITIES.items()
        if Capability.WORK_CASES in capabilities
    ]
    return StaffUser.objects.filter(is_active=True, role__in=roles).order_by(
        "last_name", "first_name", "username"
    )


class HandOnForm(DesignSystemForm):
    team = forms.ModelChoiceField(
        label=_("Team"),
        required=False,
        queryset=Team.objects.all(),
        empty_label=_("No team: choose an officer"),
    )
    officer = forms.ModelChoiceField(
        label=_("Officer"),
        help_text=_("Optional with a team: without one, the team takes it from their worklist"),
        required=False,
        queryset=StaffUser.objects.none(),
        empty_label=_("No officer"),
    )
    rationale = forms.CharField(
        label=_("Why you are handing it on"),
        required=False,
        max_length=MAX_UPDATE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = _case_workers()
        self.fields["officer"].label_from_instance = lambda user: (
            f"{user} ({user.get_role_display()})"
        )


class CloseForm(DesignSystemForm):
    outcome = forms.ChoiceField(
        label=_("How the case ended"),
        error_messages={
            "required": _("Choose how the case ended"),
            "invalid_choice": _("Choose how the case ended from the list"),
        },
        widget=forms.RadioSelect(attrs=RADIO),
    )
    public_message = forms.CharField(
        label=_("Closing message to the person"),
        help_text=_("They read it on their tracking page and are told it is there"),
        required=False,
        max_length=MAX_UPDATE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, outcomes: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = outcomes
