"""The tracking page's follow-up: a message, the closure survey and a complaint, over HTTP."""

import html
import re

import pytest

from cairn.audit.context import acting_as
from cairn.cases.models import CaseUpdate, UpdateKind
from cairn.cases.services import close_case, open_case
from cairn.contacts.models import Contact
from cairn.contacts.services import ContactSubmission, receive_contact
from cairn.engagement.models import Complaint, PersonMessage, SurveyResponse
from cairn.notify.models import OutboundMessage
from tests.cases.conftest import handler  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

SURVEY = {
    "ease_of_contact": "5",
    "treatment": "4",
    "understood_needs": "4",
    "appropriate_response": "3",
    "kept_informed": "2",
    "attending_officer": "na",
    "overall": "4",
    "comment": "",
}


@pytest.fixture
def receipt(db):
    with acting_as("web"):
        return receive_contact(
            ContactSubmission(
                channel="web_form",
                narrative="My bike was taken from the shed.",
                reporter_name="Sam Reporter",
                reporter_email="sam@example.org",
            )
        )


@pytest.fixture
def reference(receipt):
    return receipt.reference


@pytest.fixture
def tracked(client, receipt):
    """A client that has proved (with the tracking code) it may see the report."""
    response = client.post(
        "/track/", {"reference": receipt.reference, "code": receipt.tracking_secret}
    )
    assert response.status_code == 302
    return client


def token_in(page: str, form_action: str) -> str:
    form = page[page.index(f'action="{form_action}"') :]
    return re.search(r'name="form_token" value="([^"]+)"', form).group(1)


def message_token(client, reference: str) -> str:
    page = client.get(f"/track/{reference}/").content.decode()
    return token_in(page, f"/track/{reference}/message/")


def case_for(receipt, handler):  # noqa: F811
    return open_case(receipt.contact, category="crime.theft", actor=handler)


# The panel ------------------------------------------------------------------------------------


def test_the_tracking_page_offers_a_message_and_a_complaint_but_no_survey_yet(tracked, reference):
    page = tracked.get(f"/track/{reference}/").content.decode()
    assert "Send us new information or a reply" in page
    assert "You cannot attach files here." in page
    assert f'href="/track/{reference}/complaint/"' in page
    assert "Tell us how we did" not in page


def test_the_survey_appears_on_the_tracking_page_when_the_case_is_closed(
    tracked,
    receipt,
    handler,  # noqa: F811
):
    close_case(
        case_for(receipt, handler), outcome="no_crime", public_message="Done.", actor=handler
    )
    page = tracked.get(f"/track/{receipt.reference}/").content.decode()
    assert "Tell us how we did" in page
    assert "How easy or difficult was it to contact us?" in page
    assert "No officer came to see me" in page


def test_follow_up_pages_need_the_tracking_code_first(client, reference):
    for path in ("message/", "message/sent/", "survey/", "complaint/"):
        response = client.get(f"/track/{reference}/{path}")
        assert response.status_code == 302
        assert response["Location"] == f"/track/?reference={reference}"
    response = client.post(f"/track/{reference}/message/", {"text": "Hello"})
    assert response.status_code == 302
    assert not PersonMessage.objects.exists()


# A message ------------------------------------------------------------------------------------


def test_a_message_lands_on_the_open_case_and_the_page_confirms_it(
    tracked,
    receipt,
    handler,  # noqa: F811
):
    case_for(receipt, handler)
    reference = receipt.reference
    token = message_token(tracked, reference)
    response = tracked.post(
        f"/track/{reference}/message/", {"text": "It has a red bell.", "form_token": token}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/track/{reference}/message/sent/"
    confirmation = tracked.get(response["Location"]).content.decode()
    assert "We have your message." in confirmation
    update = CaseUpdate.objects.get(kind=UpdateKind.FROM_THE_PERSON)
    assert update.text == "It has a red bell."
    # The person sees their own words on the timeline.
    assert "It has a red bell." in tracked.get(f"/track/{reference}/").content.decode()


def test_posting_the_same_message_form_again_saves_nothing_more(tracked, reference):
    token = message_token(tracked, reference)
    for _ in range(3):
        response = tracked.post(
            f"/track/{reference}/message/", {"text": "Another detail.", "form_token": token}
        )
        assert response.status_code == 302
    assert PersonMessage.objects.count() == 1
    assert Contact.objects.filter(related_to__reference=reference).count() == 1


def test_an_empty_message_says_what_to_fix(tracked, reference):
    token = message_token(tracked, reference)
    response = tracked.post(f"/track/{reference}/message/", {"text": "  ", "form_token": token})
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert '<a href="#id_text">Write your message</a>' in page
    assert 'aria-invalid="true"' in page
    assert token_in(page, f"/track/{reference}/message/") == token  # still unused: kept


def test_a_message_too_long_is_kept_as_typed(tracked, reference):
    token = message_token(tracked, reference)
    typed = "word " * 401
    response = tracked.post(f"/track/{reference}/message/", {"text": typed, "form_token": token})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Keep your message under 2,000 characters." in page
    assert html.escape(typed.strip()) in page
    assert not PersonMessage.objects.exists()


def test_a_form_token_made_for_another_report_is_refused_and_the_text_kept(
    tracked, reference, receipt
):
    with acting_as("web"):
        other = receive_contact(ContactSubmission(channel="web_form", narrative="Other."))
    tracked.post("/track/", {"reference": other.reference, "code": other.tracking_secret})
    foreign = message_token(tracked, other.reference)
    response = tracked.post(
        f"/track/{reference}/message/", {"text": "Keep me.", "form_token": foreign}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "This page was open too long." in page
    assert "Keep me." in page
    assert token_in(page, f"/track/{reference}/message/") != foreign
    assert not PersonMessage.objects.exists()


def test_too_many_messages_from_one_report_are_stopped(tracked, reference):
    for number in range(10):
        token = message_token(tracked, reference)
        response = tracked.post(
            f"/track/{reference}/message/", {"text": f"Detail {number}", "form_token": token}
        )
        assert response.status_code == 302
    token = message_token(tracked, reference)
    response = tracked.post(
        f"/track/{reference}/message/", {"text": "One more", "form_token": token}
    )
    assert response.status_code == 429
    assert "Too many messages" in response.content.decode()
    assert "One more" in response.content.decode()
    assert PersonMessage.objects.count() == 10


def test_a_message_sent_in_gaelic_is_confirmed_in_gaelic_and_kept_as_gaelic(tracked, reference):
    page = tracked.get(f"/gd/track/{reference}/").content.decode()
    token = token_in(page, f"/gd/track/{reference}/message/")
    response = tracked.post(
        f"/gd/track/{reference}/message/", {"text": "Tha e dearg.", "form_token": token}
    )
    assert response["Location"] == f"/gd/track/{reference}/message/sent/"
    assert Contact.objects.get(related_to__reference=reference).language == "gd"
    confirmation = tracked.get(response["Location"]).content.decode()
    assert '<html lang="gd"' in confirmation


# The survey -----------------------------------------------------------------------------------


@pytest.fixture
def closed(receipt, handler):  # noqa: F811
    return close_case(
        case_for(receipt, handler), outcome="no_crime", public_message="Done.", actor=handler
    )


def test_the_survey_is_answered_and_the_page_then_says_it_was_received(tracked, reference, closed):
    response = tracked.post(f"/track/{reference}/survey/", SURVEY)
    assert response.status_code == 302
    assert response["Location"] == f"/track/{reference}/survey/done/"
    assert "Thank you for your answers" in tracked.get(response["Location"]).content.decode()
    answer = SurveyResponse.objects.get()
    assert (answer.ease_of_contact, answer.attending_officer, answer.overall) == (5, None, 4)
    page = tracked.get(f"/track/{reference}/").content.decode()
    assert "We have received your answers to our survey." in page
    assert "How easy or difficult" not in page


def test_an_incomplete_survey_keeps_the_answers_given_and_says_what_is_missing(
    tracked, reference, closed
):
    partial = {**SURVEY, "overall": "", "comment": "Polite staff."}
    response = tracked.post(f"/track/{reference}/survey/", partial)
    page = response.content.decode()
    assert response.status_code == 400
    overall = "Overall, how satisfied are you with the service you received?"
    assert f'<a href="#id_overall-fieldset">{overall} Choose one answer</a>' in page
    assert re.search(r'id="id_ease_of_contact-5"[^>]*checked', page)
    assert re.search(r'id="id_attending_officer-na"[^>]*checked', page)
    assert "Polite staff." in page
    assert not SurveyResponse.objects.exists()


def test_a_second_survey_is_not_stored(tracked, reference, closed):
    tracked.post(f"/track/{reference}/survey/", SURVEY)
    response = tracked.post(f"/track/{reference}/survey/", {**SURVEY, "overall": "1"})
    assert response.status_code == 302
    assert SurveyResponse.objects.get().overall == 4


def test_the_survey_is_not_open_before_the_case_is_closed(tracked, reference):
    response = tracked.post(f"/track/{reference}/survey/", SURVEY)
    assert response.status_code == 302
    assert response["Location"] == f"/track/{reference}/"
    assert not SurveyResponse.objects.exists()


# A complaint ----------------------------------------------------------------------------------


def complaint_token(client, reference: str) -> str:
    page = client.get(f"/track/{reference}/complaint/").content.decode()
    return token_in(page, f"/track/{reference}/complaint/")


def test_a_complaint_is_received_with_its_reference_and_acknowledged(tracked, reference):
    token = complaint_token(tracked, reference)
    data = {
        "what_happened": "Nobody called me back.",
        "put_right": "A call.",
        "contact_route": "email",
        "contact_email": "sam@example.org",
        "form_token": token,
    }
    response = tracked.post(f"/track/{reference}/complaint/", data)
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/track/{reference}/complaint/{complaint.reference}/"
    page = tracked.get(response["Location"]).content.decode()
    assert f"Your complaint reference is {complaint.reference}." in page
    assert OutboundMessage.objects.filter(template="complaint_received").count() == 1
    again = tracked.post(f"/track/{reference}/complaint/", data)
    assert again["Location"] == response["Location"]
    assert Complaint.objects.count() == 1


def test_a_complaint_with_a_missing_address_keeps_what_was_typed(tracked, reference):
    token = complaint_token(tracked, reference)
    response = tracked.post(
        f"/track/{reference}/complaint/",
        {
            "what_happened": "Rude on the phone.",
            "contact_route": "phone",
            "contact_phone": "",
            "form_token": token,
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter a UK phone number" in page
    assert "Rude on the phone." in page
    assert re.search(r'id="id_contact_route-phone"[^>]*checked', page)
    assert not Complaint.objects.exists()


def test_someone_elses_complaint_confirmation_is_not_found(tracked, reference):
    with acting_as("web"):
        other = receive_contact(ContactSubmission(channel="web_form", narrative="Other."))
    tracked.post("/track/", {"reference": other.reference, "code": other.tracking_secret})
    token = complaint_token(tracked, other.reference)
    tracked.post(
        f"/track/{other.reference}/complaint/",
        {"what_happened": "Slow.", "contact_route": "none", "form_token": token},
    )
    theirs = Complaint.objects.get().reference
    assert tracked.get(f"/track/{reference}/complaint/{theirs}/").status_code == 404
