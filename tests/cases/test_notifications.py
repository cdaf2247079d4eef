"""Telling the person: a public update or closure queues one message per address, a link only."""

import pytest
from django.core import signing

from cairn.cases.notifications import recipients_for
from cairn.cases.services import add_contact_to_case, add_update, close_case, open_case
from cairn.contacts.tracking_links import reference_for_token, tracking_link
from cairn.notify.models import MessageChannel, OutboundMessage
from cairn.people.models import MatterRole, MatterRoleKind, Person
from tests.cases.conftest import new_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(contact, handler):
    return open_case(contact, category="crime.theft", actor=handler)


def test_a_public_update_queues_an_email_with_a_link_and_not_the_update(case, handler):
    add_update(case, text="Officers found your bike at Leith.", public=True, actor=handler)

    message = OutboundMessage.objects.get()
    assert message.channel == MessageChannel.EMAIL
    assert message.recipient == "morag.macleod@example.org"
    assert message.template == "case_updated"
    contact = case.case_contacts.get().contact
    assert contact.reference in message.subject
    assert "/track/" + contact.reference + "/?t=" in message.body
    assert "bike" not in message.body


def test_an_internal_note_sends_nothing(case, handler):
    add_update(case, text="Checked CCTV, nothing.", public=False, actor=handler)

    assert not OutboundMessage.objects.exists()


def test_closure_queues_one_closure_message(case, handler):
    close_case(case, outcome="no_crime", public_message="No crime took place.", actor=handler)

    assert list(OutboundMessage.objects.values_list("template", flat=True)) == ["case_closed"]


def test_the_message_is_in_the_language_the_person_contacted_us_in(handler):
    case = open_case(new_contact(language="gd"), category="crime.theft", actor=handler)

    add_update(case, text="Tha am baidhsagal againn.", public=True, actor=handler)

    message = OutboundMessage.objects.get()
    assert message.language == "gd"
    assert "/gd/track/" in message.body


def test_the_person_record_preferences_win_over_the_contact(contact, handler):
    contact.reporter_phone = "07911 123456"
    contact.save(update_fields=["reporter_phone"])
    person = Person.objects.create(
        given_name="Morag", family_name="MacLeod", preferred_language="pl", preferred_channel="sms"
    )
    MatterRole.objects.create(person=person, contact=contact, role=MatterRoleKind.REPORTER)
    case = open_case(contact, category="crime.theft", actor=handler)

    add_update(case, text="Update.", public=True, actor=handler)

    message = OutboundMessage.objects.get()
    assert (message.channel, message.recipient, message.language) == ("sms", "+447911123456", "pl")


def test_anonymous_contacts_and_repeat_addresses_are_not_messaged_twice(case, handler):
    add_contact_to_case(case, new_contact(), actor=handler)  # the same email again
    add_contact_to_case(
        case,
        new_contact(anonymous=True, reporter_name="", reporter_email=""),
        actor=handler,
    )

    assert len(recipients_for(case)) == 1


def test_the_same_change_is_never_queued_twice(case, handler):
    from cairn.cases.notifications import tell_the_person

    tell_the_person(case, template="case_updated", event_key="case-update:1")
    tell_the_person(case, template="case_updated", event_key="case-update:1")

    assert OutboundMessage.objects.count() == 1


def test_a_tracking_link_token_names_its_contact_and_cannot_be_altered(contact):
    link = tracking_link(contact)
    token = link.split("?t=")[1]

    assert reference_for_token(token) == contact.reference
    assert (
        reference_for_token(signing.TimestampSigner(salt="another").sign(contact.reference)) is None
    )
    assert reference_for_token(token.replace(contact.reference, "CRN-000000-00001")) is None
    assert reference_for_token("") is None
