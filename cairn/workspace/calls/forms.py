from django import forms
from django.utils.translation import gettext_lazy as _

from cairn.contacts.call_services import CALL_CATEGORIES, CallTaking
from cairn.contacts.models import Line
from cairn.workspace.design_system_forms import DesignSystemForm


class CallTakingForm(DesignSystemForm):
    """What a call handler types while on a 999 or 101 call. The service re-checks it all."""

    line = forms.ChoiceField(
        label=_("Line"),
        choices=Line.choices,
        initial=Line.NON_EMERGENCY,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose 999 or 101"),
            "invalid_choice": _("Choose 999 or 101"),
        },
    )
    caller_number = forms.CharField(
        label=_("Caller's phone number"),
        required=False,
        max_length=40,
        help_text=_("For example 0131 496 0000. Leave empty if withheld."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    caller_name = forms.CharField(
        label=_("Caller's name (optional)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    caller_date_of_birth = forms.DateField(
        label=_("Caller's date of birth (optional)"),
        required=False,
        help_text=_("For example 14/05/1979. Helps find their earlier contacts and any markers"),
        # One text box, one Tab stop: a date picker's three segments slow a call down.
        input_formats=["%d/%m/%Y", "%d %m %Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"],
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        error_messages={"invalid": _("Enter a real date of birth, like 14/05/1979")},
    )
    anonymous = forms.BooleanField(label=_("The caller wants to stay anonymous"), required=False)
    address_text = forms.CharField(
        label=_("Where is it happening?"),
        required=False,
        max_length=400,
        help_text=_("An address, a street or a landmark"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    postcode = forms.CharField(
        label=_("Postcode (optional)"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    narrative = forms.CharField(
        label=_("What is happening?"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Say what is happening")},
    )
    category = forms.ChoiceField(
        label=_("What is it about?"),
        choices=[("", _("Choose a category")), *CALL_CATEGORIES.items()],
        error_messages={"required": _("Choose what the call is about")},
    )
    call_id = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    submission_id = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def clean_narrative(self) -> str:
        # Browsers send a textarea's new lines as CR LF.
        return self.cleaned_data["narrative"].replace("\r\n", "\n")

    def taking(self) -> CallTaking:
        data = self.cleaned_data
        submission_id = data.get("submission_id")
        return CallTaking(
            line=data["line"],
            narrative=data["narrative"],
            category=data["category"],
            caller_number=data["caller_number"],
            caller_name=data["caller_name"],
            caller_date_of_birth=data["caller_date_of_birth"],
            address_text=data["address_text"],
            postcode=data["postcode"],
            anonymous=data["anonymous"],
            call_id=data["call_id"],
            idempotency_key=submission_id.hex if submission_id else None,
        )
