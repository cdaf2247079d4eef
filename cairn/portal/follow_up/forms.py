"""The tracking page's forms: a message, the closure survey, a complaint.

Each carries a one-time ``form_token`` (hidden) so a form posted twice is saved
once. Validation here says plainly what to fix; the service checks again.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from cairn.engagement.models import (
    MAX_COMMENT_LENGTH,
    MAX_COMPLAINT_LENGTH,
    MAX_MESSAGE_LENGTH,
    MAX_PUT_RIGHT_LENGTH,
    ContactRoute,
)
from cairn.engagement.survey import NOT_APPLICABLE, QUESTIONS


def _textarea(rows: int = 6) -> forms.Textarea:
    return forms.Textarea(attrs={"class": "ds_input", "rows": rows})


class TokenForm(forms.Form):
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def describe_fields(self) -> None:
        """aria-describedby and aria-invalid on each visible field, for its hint and error."""
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.HiddenInput):
                continue
            bound = self[name]
            described = []
            if field.help_text:
                described.append(f"{bound.auto_id}-hint")
            if self.is_bound and self.errors.get(name):
                described.append(f"{bound.auto_id}-error")
                field.widget.attrs["aria-invalid"] = "true"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor, message) per error, for the error summary; radios link to their group."""
        links = [("", str(error)) for error in self.non_field_errors()]
        for bound in self:
            if isinstance(bound.field, forms.ChoiceField):  # a group of radios: name the question
                anchor = f"{bound.auto_id}-fieldset"
                links += [(anchor, f"{bound.label} {error}") for error in bound.errors]
            else:
                links += [(bound.id_for_label, str(error)) for error in bound.errors]
        return links


class MessageForm(TokenForm):
    text = forms.CharField(
        label=_("Your message"),
        max_length=MAX_MESSAGE_LENGTH,
        help_text=_(
            "New information about your report, or a reply to us, in up to 2,000 characters. "
            "You cannot attach files here."
        ),
        error_messages={
            "required": _("Write your message"),
            "max_length": _("Keep your message under 2,000 characters."),
        },
        widget=_textarea(),
    )


class SurveyForm(TokenForm):
    comment = forms.CharField(
        label=_("Anything else you would like to tell us (optional)"),
        max_length=MAX_COMMENT_LENGTH,
        required=False,
        help_text=_("Please do not include your name or contact details."),
        error_messages={"max_length": _("Keep your comment under 2,000 characters.")},
        widget=_textarea(4),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in QUESTIONS:
            choices = [(str(value), label) for value, label in question.scale]
            if question.not_applicable is not None:
                choices.append((NOT_APPLICABLE, question.not_applicable))
            self.fields[question.measure] = forms.ChoiceField(
                label=question.text,
                choices=choices,
                error_messages={
                    "required": _("Choose one answer"),
                    "invalid_choice": _("Choose one answer"),
                },
            )
        # The comment comes last, after the questions.
        self.fields["comment"] = self.fields.pop("comment")

    def questions(self) -> list[dict]:
        """Each question with its options (checked as typed), for the template's radios."""
        found = []
        for question in QUESTIONS:
            bound = self[question.measure]
            value = str(bound.value() or "")
            found.append(
                {
                    "name": question.measure,
                    "label": question.text,
                    "errors": bound.errors,
                    "id": bound.auto_id,
                    "options": [
                        {
                            "value": option,
                            "label": label,
                            "id": f"{bound.auto_id}-{option}",
                            "checked": option == value,
                        }
                        for option, label in bound.field.choices
                    ],
                }
            )
        return found

    def scores(self) -> dict[str, int | None]:
        return {
            question.measure: None
            if self.cleaned_data[question.measure] == NOT_APPLICABLE
            else int(self.cleaned_data[question.measure])
            for question in QUESTIONS
        }


class ComplaintForm(TokenForm):
    what_happened = forms.CharField(
        label=_("What happened"),
        max_length=MAX_COMPLAINT_LENGTH,
        help_text=_("Tell us what went wrong with the service you received."),
        error_messages={
            "required": _("Tell us what happened"),
            "max_length": _("Keep this under 4,000 characters."),
        },
        widget=_textarea(8),
    )
    put_right = forms.CharField(
        label=_("What would put it right (optional)"),
        max_length=MAX_PUT_RIGHT_LENGTH,
        required=False,
        error_messages={"max_length": _("Keep this under 2,000 characters.")},
        widget=_textarea(4),
    )
    contact_route = forms.ChoiceField(
        label=_("How should we contact you about your complaint?"),
        choices=ContactRoute.choices,
        error_messages={
            "required": _("Choose how we should contact you"),
            "invalid_choice": _("Choose how we should contact you"),
        },
    )
    contact_email = forms.CharField(
        label=_("Email address"),
        max_length=254,
        required=False,
        widget=forms.TextInput(
            attrs={
                "class": "ds_input",
                "autocomplete": "email",
                "spellcheck": "false",
                "dir": "ltr",
            }
        ),
    )
    contact_phone = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(
            attrs={
                "class": "ds_input ds_input--fixed-20",
                "autocomplete": "tel",
                "inputmode": "tel",
                "dir": "ltr",
            }
        ),
    )

    def route_options(self) -> list[dict]:
        bound = self["contact_route"]
        value = str(bound.value() or "")
        return [
            {
                "value": option,
                "label": label,
                "id": f"{bound.auto_id}-{option}",
                "checked": option == value,
            }
            for option, label in bound.field.choices
        ]
