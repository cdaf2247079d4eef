"""The forms of the partner pages: the directory search, a referral, and the partner's answers.

They carry what was typed; ``cairn.partners`` decides what is allowed (consent
or a stated basis, a service covering the case's division) and its errors are
shown on these forms' fields.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from cairn.partners.models import MAX_REASON_LENGTH, ConsentMethod, LawfulBasis
from cairn.partners.taxonomy import outcome_codes, service_type_label, service_types
from cairn.places.models import Division
from cairn.workspace.design_system_forms import DesignSystemForm

YES, NO = "yes", "no"


def _text(label, required_message="", help_text="", rows=3, required=True) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": required_message,
            "max_length": _("Keep it to %(limit_value)d characters"),
        },
    )


class DirectorySearchForm(DesignSystemForm):
    service_type = forms.ChoiceField(label=_("Type of service"), required=False)
    division = forms.ChoiceField(label=_("Area"), required=False)
    q = forms.CharField(
        label=_("Words in the name or eligibility"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "ds_input ds_input--fixed-20"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_type"].choices = [("", _("Any type"))] + [
            (code, kind.label) for code, kind in service_types().items()
        ]
        self.fields["division"].choices = [("", _("Anywhere in Scotland"))] + [
            (division.code, str(division)) for division in Division.objects.order_by("code")
        ]


class ReferralForm(DesignSystemForm):
    """A referral from a case. Consent first: without it, another lawful basis, explained."""

    service = forms.ChoiceField(
        label=_("Service"),
        help_text=_("Services covering this case's division."),
        error_messages={"required": _("Choose the service to refer to")},
    )
    reason = _text(
        _("Why you are referring the person"),
        _("Say why you are referring the person"),
        _("The agency reads this. Keep to what they need to help."),
        rows=4,
    )
    consent_given = forms.ChoiceField(
        label=_("Has the person agreed to the referral?"),
        choices=[(YES, _("Yes")), (NO, _("No"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the person agreed to the referral")},
    )
    consent_method = forms.ChoiceField(
        label=_("How did they agree?"),
        required=False,
        choices=ConsentMethod.choices,
        widget=forms.RadioSelect,
    )
    other_basis = forms.ChoiceField(
        label=_("If they have not agreed: why sharing is still lawful"),
        required=False,
        choices=[
            (LawfulBasis.VITAL_INTERESTS.value, LawfulBasis.VITAL_INTERESTS.label),
            (LawfulBasis.SAFEGUARDING.value, LawfulBasis.SAFEGUARDING.label),
        ],
        widget=forms.RadioSelect,
    )
    basis_explanation = _text(
        _("Explain the lawful basis"),
        help_text=_("Only when the person has not agreed."),
        required=False,
    )
    shared_name = forms.CharField(label=_("Name to share"), required=False, max_length=200)
    shared_phone = forms.CharField(
        label=_("Phone number to share"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"class": "ds_input ds_input--fixed-20", "type": "tel"}),
    )
    shared_email = forms.CharField(
        label=_("Email address to share"),
        required=False,
        max_length=254,
        widget=forms.TextInput(attrs={"type": "email"}),
    )

    # The service's error keys, shown on this form's fields.
    ALIASES = {"lawful_basis": "other_basis"}

    def __init__(self, *args, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.services = {str(service.pk): service for service in services}
        self.fields["service"].choices = [("", _("Choose a service"))] + [
            (
                key,
                f"{service_type_label(service.service_type)}: {service.agency.name}"
                f" ({service.name})",
            )
            for key, service in self.services.items()
        ]

    def clean_service(self):
        return self.services.get(self.cleaned_data["service"])

    def referral_fields(self) -> dict:
        """The arguments of ``make_referral`` from what was typed."""
        data = self.cleaned_data
        consented = data["consent_given"] == YES
        basis = LawfulBasis.CONSENT.value if consented else data.get("other_basis", "")
        return {
            "service": data["service"],
            "reason": data["reason"],
            "lawful_basis": basis,
            "consent_given": consented,
            "consent_method": data.get("consent_method", "") if consented else "",
            "basis_explanation": "" if consented else data.get("basis_explanation", ""),
            "shared_name": data.get("shared_name", ""),
            "shared_phone": data.get("shared_phone", ""),
            "shared_email": data.get("shared_email", ""),
        }

    def clean(self):
        data = super().clean()
        if data.get("consent_given") == NO and not data.get("other_basis"):
            self.add_error(
                "other_basis",
                _("Without the person's agreement, choose why sharing is lawful, or do not refer"),
            )
        return data


class DeclineForm(DesignSystemForm):
    reason = _text(
        _("Why you are declining"),
        _("Say why you are declining the referral"),
        _("The police officer who referred reads this."),
    )


class OutcomeForm(DesignSystemForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the outcome")},
    )
    text = _text(_("Anything the police should know (optional)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = list(outcome_codes().items())


class WithdrawForm(DesignSystemForm):
    reason = _text(
        _("Why you are withdrawing the referral"),
        _("Say why you are withdrawing the referral"),
        _("The agency is told the referral is withdrawn."),
    )


class StatusFilterForm(DesignSystemForm):
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from cairn.partners.models import ReferralStatus

        self.fields["status"].choices = [("", _("Any status")), *ReferralStatus.choices]
