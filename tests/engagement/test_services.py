"""The person's message, survey and complaint: where each lands, once, with its event."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from cairn.audit.models import AuditEvent
from cairn.cases.models import Case, CaseUpdate, UpdateKind
from cairn.contacts.models import Contact, Reason
from cairn.engagement.models import (
    Complaint,
    ContactRoute,
    MessageRoute,
    PersonMessage,
    SurveyResponse,
)
from cairn.engagement.services import (
    ComplaintDetails,
    SurveyNotOpen,
    answer_survey,
    make_complaint,
    send_message_from_person,
)
from cairn.events.models import DomainEvent
from cairn.notify.models import OutboundMessage

pytestmark = pytest.mark.django_db

SCORES = {
    "ease_of_contact": 4,
    "treatment": 5,
    "understood_needs": 4,
    "appropriate_response": 3,
    "kept_informed": 2,
    "attending_officer": None,
    "overall": 4,
}


def send(contact, text="The bike has a red bell.", token="token-1", language="en"):
    return send_message_from_person(contact, text=text, form_token=token, language=language)


# New information or a reply ------------------------------------------------------------------


def test_with_an_open_case_the_message_goes_on_the_timeline_and_the_worklist(
    contact, open_case_for
):
    case = open_case_for(contact)
    saved = send(contact)
    assert saved.created
    message = saved.row
    assert message.route == MessageRoute.CASE_TIMELINE
    update = CaseUpdate.objects.get(pk=message.case_update_id)
    assert (update.kind, update.text) == (UpdateKind.FROM_THE_PERSON, "The bike has a red bell.")
    assert Case.objects.get(pk=case.pk).awaiting_reply_since == update.at
    assert DomainEvent.objects.filter(name="case.person_wrote").count() == 1


def test_without_a_case_the_message_becomes_a_follow_up_contact_in_the_queue(contact):
    saved = send(contact, language="gd")
    follow_up = Contact.objects.get(pk=saved.row.follow_up_id)
    assert saved.row.route == MessageRoute.FOLLOW_UP_CONTACT
    assert follow_up.related_to_id == contact.pk
    assert follow_up.reason == Reason.UPDATE
    assert follow_up.status == "received"
    assert follow_up.narrative == "The bike has a red bell."
    assert follow_up.language == "gd"
    assert follow_up.reporter_email == contact.reporter_email  # so staff can answer
    event = DomainEvent.objects.get(name="contact.received", subject_id=str(follow_up.pk))
    assert event.data["follow_up_of"] == contact.pk


def test_with_a_closed_case_the_message_goes_to_the_queue(contact, closed_case):
    saved = send(contact)
    assert saved.row.route == MessageRoute.FOLLOW_UP_CONTACT
    assert not CaseUpdate.objects.filter(kind=UpdateKind.FROM_THE_PERSON).exists()


def test_the_same_form_posted_twice_is_saved_once(contact, open_case_for):
    open_case_for(contact)
    first, second = send(contact), send(contact)
    assert (first.created, second.created) == (True, False)
    assert second.row.pk == first.row.pk
    assert CaseUpdate.objects.filter(kind=UpdateKind.FROM_THE_PERSON).count() == 1


def test_the_same_follow_up_posted_twice_makes_one_contact(contact):
    send(contact)
    send(contact)
    assert Contact.objects.filter(related_to=contact).count() == 1
    assert PersonMessage.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_posts_of_one_form_at_the_same_moment_save_once(contact, open_case_for):
    open_case_for(contact)

    def post(_):
        try:
            return send(contact, token="raced").created
        finally:
            connections.close_all()

    with ThreadPoolExecutor(4) as pool:
        created = list(pool.map(post, range(4)))
    assert sorted(created) == [False, False, False, True]
    assert CaseUpdate.objects.filter(kind=UpdateKind.FROM_THE_PERSON).count() == 1


def test_another_form_is_another_message(contact, open_case_for):
    open_case_for(contact)
    send(contact, token="a")
    send(contact, token="b", text="And a basket.")
    assert CaseUpdate.objects.filter(kind=UpdateKind.FROM_THE_PERSON).count() == 2


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_an_empty_or_too_long_message_is_refused_and_nothing_saved(contact, text):
    with pytest.raises(ValidationError) as refused:
        send(contact, text=text)
    assert "text" in refused.value.message_dict
    assert not PersonMessage.objects.exists()
    assert not Contact.objects.filter(related_to=contact).exists()


# The closure survey --------------------------------------------------------------------------


def test_the_survey_is_stored_with_the_case_and_channel_and_an_event_of_scores(
    contact, closed_case
):
    saved = answer_survey(contact, scores=SCORES, comment="Kind staff.", language="pl")
    response = SurveyResponse.objects.get()
    assert saved.created and saved.row.pk == response.pk
    assert (response.case_id, response.channel, response.language) == (
        closed_case.pk,
        "web_form",
        "pl",
    )
    assert response.scores() == SCORES
    assert response.comment == "Kind staff."
    event = DomainEvent.objects.get(name="survey.answered")
    assert event.subject_id == str(closed_case.pk)
    assert event.channel == "web_form"
    assert event.data["scores"] == SCORES
    assert event.data["commented"] is True
    assert "Kind staff." not in str(event.data)  # numbers, not the person's words
    assert AuditEvent.objects.filter(object_type="survey_response", operation="collection").count()


def test_the_survey_is_answered_once_per_contact(contact, closed_case):
    answer_survey(contact, scores=SCORES, comment="", language="en")
    again = answer_survey(contact, scores={**SCORES, "overall": 1}, comment="", language="en")
    assert not again.created
    assert SurveyResponse.objects.get().overall == 4
    assert DomainEvent.objects.filter(name="survey.answered").count() == 1


def test_the_survey_waits_for_the_case_to_close(contact, open_case_for):
    with pytest.raises(SurveyNotOpen):
        answer_survey(contact, scores=SCORES, comment="", language="en")
    open_case_for(contact)
    with pytest.raises(SurveyNotOpen):
        answer_survey(contact, scores=SCORES, comment="", language="en")
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize(
    "change", [{"overall": None}, {"treatment": 6}, {"kept_informed": 0}, {"ease_of_contact": "5"}]
)
def test_a_score_off_the_scale_is_refused(contact, closed_case, change):
    with pytest.raises(ValidationError) as refused:
        answer_survey(contact, scores={**SCORES, **change}, comment="", language="en")
    assert set(refused.value.message_dict) == set(change)
    assert not SurveyResponse.objects.exists()


# A complaint ---------------------------------------------------------------------------------


def complain(contact, token="complaint-1", **changes):
    details = {
        "what_happened": "Nobody called me back for three weeks.",
        "put_right": "An apology.",
        "contact_route": ContactRoute.EMAIL,
        "contact_email": "Morag@Example.org",
        **changes,
    }
    return make_complaint(contact, ComplaintDetails(**details), form_token=token, language="uk")


def test_a_complaint_gets_a_database_reference_and_an_acknowledgement_link_only(
    contact, open_case_for
):
    case = open_case_for(contact)
    saved = complain(contact)
    complaint = Complaint.objects.get()
    assert saved.created and saved.row.reference == complaint.reference
    assert complaint.reference.startswith("COM-") and len(complaint.reference) == 16
    assert complaint.case_id == case.pk
    assert complaint.contact_email == "morag@example.org"
    assert complaint.acknowledged
    message = OutboundMessage.objects.get(template="complaint_received")
    assert message.recipient == "morag@example.org"
    assert message.language == "uk"
    assert complaint.reference in message.subject
    assert f"/uk/track/{contact.reference}/?t=" in message.body
    assert "three weeks" not in message.body and "apology" not in message.body
    event = DomainEvent.objects.get(name="complaint.received")
    assert event.data == {
        "contact": contact.pk,
        "case": case.pk,
        "contact_route": "email",
        "acknowledged": True,
    }


def test_complaint_references_follow_each_other(contact):
    first = complain(contact, token="a").row.reference
    second = complain(contact, token="b").row.reference
    assert first[:11] == second[:11]
    assert int(second[11:]) == int(first[11:]) + 1


def test_a_complaint_by_phone_is_acknowledged_by_text(contact):
    complain(
        contact, contact_route=ContactRoute.PHONE, contact_email="", contact_phone="07911 123456"
    )
    message = OutboundMessage.objects.get(template="complaint_received")
    assert (message.channel, message.recipient) == ("sms", "+447911123456")


def test_no_acknowledgement_when_the_person_asks_not_to_be_contacted(contact):
    complain(contact, contact_route=ContactRoute.NONE, contact_email="")
    assert not Complaint.objects.get().acknowledged
    assert not OutboundMessage.objects.exists()


def test_the_same_complaint_form_posted_twice_is_saved_and_acknowledged_once(contact):
    first, second = complain(contact), complain(contact)
    assert (first.created, second.created) == (True, False)
    assert Complaint.objects.count() == 1
    assert OutboundMessage.objects.count() == 1
    assert DomainEvent.objects.filter(name="complaint.received").count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"what_happened": " "}, "what_happened"),
        ({"contact_email": "not an address"}, "contact_email"),
        ({"contact_route": "phone", "contact_phone": "12"}, "contact_phone"),
        ({"contact_route": "pigeon"}, "contact_route"),
    ],
)
def test_a_complaint_missing_what_it_needs_is_refused(contact, changes, field):
    with pytest.raises(ValidationError) as refused:
        complain(contact, **changes)
    assert field in refused.value.message_dict
    assert not Complaint.objects.exists()
