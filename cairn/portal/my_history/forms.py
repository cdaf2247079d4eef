import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cairn.people.own_history import read_identifier


class IdentifierForm(forms.Form):
    identifier = forms.CharField(
        label=_("Email address or mobile phone number"),
        max_length=254,
        help_text=_("Use one you gave us when you contacted us."),
        error_messages={"required": _("Enter your email address or mobile phone number")},
        widget=forms.TextInput(attrs={"class": "ds_input", "spellcheck": "false", "dir": "ltr"}),
    )

    def clean_identifier(self) -> tuple[str, str]:
        """(kind, normalised value); the field keeps showing what was typed."""
        return read_identifier(self.cleaned_data["identifier"])


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6-digit code we sent you."),
        error_messages={"required": _("Enter the code we sent you")},
        widget=forms.TextInput(
            attrs={
                "class": "ds_input ds_input--fixed-10",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "dir": "ltr",
            }
        ),
    )

    def clean_code(self) -> str:
        """Six digits, forgiving spaces and dashes; Arabic-Indic digits count as digits."""
        typed = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        digits = "".join(str(unicodedata.decimal(ch, ch)) for ch in typed)
        if not re.fullmatch(r"[0-9]{6}", digits):
            raise ValidationError(_("Enter the 6 digits of the code, like 123456"))
        return digits
