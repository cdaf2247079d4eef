from django import forms
from django.utils.translation import gettext_lazy as _

from cairn.audit.models import Operation


class AuditSearchForm(forms.Form):
    actor = forms.CharField(label=_("Staff username"), required=False, max_length=150)
    object_type = forms.CharField(
        label=_("Record type"),
        required=False,
        max_length=60,
        help_text=_("For example: person, contact, staff_user"),
    )
    object_id = forms.CharField(label=_("Record id"), required=False, max_length=64)
    operation = forms.ChoiceField(
        label=_("Operation"), required=False, choices=[("", _("Any")), *list(Operation.choices)]
    )
    since = forms.DateField(
        label=_("From (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To (date, inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "ds_select" if isinstance(field, forms.ChoiceField) else "ds_input"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date must be the same as or after the start date"))
        return data
