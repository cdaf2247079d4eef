"""The tracking page's panel: reply or send new information, the closure survey, a complaint."""

from cairn.contacts.models import Contact
from cairn.engagement.queries import survey_answered, survey_is_open
from cairn.portal.follow_up.forms import MessageForm, SurveyForm
from cairn.portal.follow_up.tokens import new_form_token
from cairn.portal.panels import Panel


def follow_up_panel(request, contact: Contact) -> Panel:
    """Always the message form and the complaint link; the survey once the case is closed."""
    reference = contact.reference
    message_form = MessageForm(initial={"form_token": new_form_token(reference)})
    message_form.describe_fields()
    survey_form = None
    answered = survey_answered(contact)
    if not answered and survey_is_open(contact):
        survey_form = SurveyForm(initial={"form_token": new_form_token(reference)})
        survey_form.describe_fields()
    return Panel(
        template="portal/follow_up/panel.html",
        context={
            "reference": reference,
            "message_form": message_form,
            "survey_form": survey_form,
            "survey_answered": answered,
        },
    )
