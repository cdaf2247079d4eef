from django import forms
from django.utils.translation import gettext_lazy as _


class ChooseSlotForm(forms.Form):
    slot = forms.TypedChoiceField(
        coerce=int,
        label=_("Choose a time"),
        error_messages={
            "required": _("Choose a time for your appointment"),
            "invalid_choice": _("That time is no longer free. Choose another"),
        },
    )

    def __init__(self, *args, slot_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [(pk, str(pk)) for pk in slot_ids]


class CancelForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=300,
        label=_("Why are you cancelling? (optional)"),
        help_text=_("For example, you no longer need to see an officer."),
        widget=forms.Textarea(attrs={"class": "ds_input", "rows": 3}),
    )
