"""The base of every workspace form: design system classes, errors that screen readers find."""

from django import forms
from django.core.exceptions import ValidationError


class DesignSystemForm(forms.Form):
    """Design-system classes on every widget; hints and errors pointed at for screen readers."""

    CSS = {
        forms.TextInput: "ds_input",
        forms.DateInput: "ds_input",
        forms.Textarea: "ds_input",
        forms.Select: "ds_select",
        forms.RadioSelect: "ds_radio__input",
        forms.CheckboxInput: "ds_checkbox__input",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = self.CSS.get(type(field.widget))
            if css:
                field.widget.attrs.setdefault("class", css)

    def add_service_errors(self, error: ValidationError, aliases: dict[str, str] | None = None):
        """Show a service's ValidationError on the fields it names, or above the form
        when it names none ("that record was merged into another")."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        aliases = aliases or {}
        for name, messages in error.message_dict.items():
            name = aliases.get(name, name)
            self.add_error(name if name in self.fields else None, messages)

    def describe_fields(self) -> "DesignSystemForm":
        """Point each field at its hint and error, and mark the invalid ones."""
        for name, field in self.fields.items():
            bound = self[name]
            ids = []
            if field.help_text:
                ids.append(f"{bound.auto_id}-hint")
            if self.errors.get(name):
                ids.append(f"{bound.auto_id}-error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids and not isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["aria-describedby"] = " ".join(ids)
        return self

    def error_links(self) -> list[tuple[str, str]]:
        """(the id to jump to, the message) for the error summary, in the form's order."""
        links = [("", str(message)) for message in self.non_field_errors()]
        for name, field in self.fields.items():
            bound = self[name]
            anchor = (
                f"{bound.auto_id}_0"
                if isinstance(field.widget, forms.RadioSelect)
                else bound.auto_id
            )
            links.extend((anchor, str(message)) for message in bound.errors)
        return links
