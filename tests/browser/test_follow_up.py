"""The person, on their tracking page: sends new information, answers the survey, complains."""

import re

import pytest
from playwright.sync_api import expect

from cairn.audit.context import acting_as
from cairn.cases.models import CaseUpdate, UpdateKind
from cairn.cases.services import close_case, open_case
from cairn.contacts.models import Contact
from cairn.contacts.services import ContactSubmission, receive_contact
from cairn.engagement.models import Complaint, SurveyResponse
from cairn.events.models import DomainEvent
from cairn.notify.models import OutboundMessage
from tests.cases.conftest import handler  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)

ANSWERS = {
    "How easy or difficult was it to contact us?": "Fairly easy",
    "We treated you fairly and with respect.": "Strongly agree",
    "We understood what you needed.": "Agree",
    "How satisfied are you with what we did about your report?": "Fairly satisfied",
    "How satisfied are you with how we kept you informed?": "Fairly dissatisfied",
    "How satisfied are you with the officer who came to see you?": "No officer came to see me",
}
ANSWERS_FIRST = next(iter(ANSWERS))
OVERALL = "Overall, how satisfied are you with the service you received?"


def test_the_person_replies_answers_the_survey_and_makes_a_complaint(ui, handler):  # noqa: F811
    with acting_as("web"):
        receipt = receive_contact(
            ContactSubmission(
                channel="web_form",
                narrative="My bike was taken from the stair.",
                reporter_name="Sam Reporter",
                reporter_email="sam@example.org",
            )
        )
    contact = Contact.objects.get(pk=receipt.contact_id)
    case = open_case(contact, category="crime.theft", actor=handler)
    page = ui.page

    ui.goto("/track/")
    page.get_by_label("Reference").fill(receipt.reference)
    page.get_by_label("Tracking code").fill(receipt.tracking_secret)
    page.get_by_role("button", name="Show my report's progress").click()
    expect(page).to_have_url(re.compile(rf"/track/{receipt.reference}/$"))
    ui.check("status with the message form")

    # An empty message: said plainly, nothing saved.
    page.get_by_role("button", name="Send my message").click()
    expect(page.get_by_role("alert")).to_contain_text("Write your message")
    ui.check("empty message")
    page.get_by_label("Your message").fill("I remembered: the bike has a red bell.")
    page.get_by_role("button", name="Send my message").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Message sent")
    ui.check("message sent")
    assert CaseUpdate.objects.filter(case=case, kind=UpdateKind.FROM_THE_PERSON).count() == 1
    page.get_by_role("link", name="Back to your report").click()
    expect(page.get_by_text("the bike has a red bell")).to_be_visible()
    ui.check("status with the message")

    # The case is closed: the survey appears on the same page.
    close_case(case, outcome="no_crime", public_message="We found the bike.", actor=handler)
    page.reload()
    expect(page.get_by_role("heading", name="Tell us how we did")).to_be_visible()
    ui.check("status with the survey")
    for question, answer in ANSWERS.items():
        page.get_by_role("group", name=question).get_by_label(answer, exact=True).check(force=True)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("alert")).to_contain_text(OVERALL)
    ui.check("survey missing an answer")
    expect(
        page.get_by_role("group", name=ANSWERS_FIRST).get_by_label("Fairly easy")
    ).to_be_checked()
    page.get_by_role("group", name=OVERALL).get_by_label("Fairly satisfied", exact=True).check(
        force=True
    )
    page.get_by_label("Anything else you would like to tell us (optional)").fill("Kind staff.")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your answers")
    ui.check("survey done")
    answer = SurveyResponse.objects.get()
    assert (answer.ease_of_contact, answer.attending_officer, answer.overall) == (4, None, 4)
    assert DomainEvent.objects.get(name="survey.answered").data["scores"]["kept_informed"] == 2

    # A complaint from the same page.
    page.get_by_role("link", name="Back to your report").click()
    expect(page.get_by_text("We have received your answers to our survey.")).to_be_visible()
    ui.check("status after the survey")
    page.get_by_role("link", name="Make a complaint about the service").click()
    ui.check("complaint form")
    page.get_by_label("What happened").fill("Nobody told me for a month.")
    page.get_by_role("button", name="Send my complaint").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose how we should contact you")
    ui.check("complaint missing a route")
    expect(page.get_by_label("What happened")).to_have_value("Nobody told me for a month.")
    page.get_by_label("By email").check(force=True)
    page.get_by_label("Email address").fill("sam@example.org")
    page.get_by_role("button", name="Send my complaint").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Complaint received")
    ui.check("complaint received")
    complaint = Complaint.objects.get()
    expect(page.get_by_text(f"Your complaint reference is {complaint.reference}.")).to_be_visible()
    assert OutboundMessage.objects.filter(template="complaint_received").count() == 1
