"""The person's own words on their case, the worklist flag, standard sentences in their language."""

import pytest
from django.utils import translation

from cairn.cases.models import UpdateKind, Visibility
from cairn.cases.queries import public_updates_for_contact
from cairn.cases.services import (
    CaseClosed,
    CaseError,
    acknowledge_messages_from_person,
    close_case,
    open_case,
    record_message_from_person,
)
from cairn.events.models import DomainEvent
from tests.cases.conftest import new_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(contact, handler):
    return open_case(contact, category="crime.theft", actor=handler)


def test_what_the_person_writes_lands_on_the_timeline_and_the_worklist(case, contact, handler):
    update = record_message_from_person(contact, text="  I found the bike's frame number.  ")

    assert (update.kind, update.visibility, update.author) == (
        UpdateKind.FROM_THE_PERSON,
        Visibility.PUBLIC,
        None,
    )
    assert update.text == "I found the bike's frame number."
    case.refresh_from_db()
    assert case.awaiting_reply_since == update.at

    acknowledge_messages_from_person(case, actor=handler)

    case.refresh_from_db()
    assert case.awaiting_reply_since is None
    assert DomainEvent.objects.filter(name="case.person_answered").count() == 1


def test_a_second_message_keeps_the_first_waiting_time(case, contact):
    first = record_message_from_person(contact, text="One.")
    record_message_from_person(contact, text="Two.")

    case.refresh_from_db()
    assert case.awaiting_reply_since == first.at


def test_a_contact_without_a_case_or_with_a_closed_one_is_refused(case, contact, handler):
    with pytest.raises(CaseError):
        record_message_from_person(new_contact(), text="Hello?")
    close_case(case, outcome="no_crime", public_message="Closed.", actor=handler)
    with pytest.raises(CaseClosed):
        record_message_from_person(contact, text="Hello?")


def test_standard_sentences_are_read_in_the_person_language(case, contact):
    with translation.override("gd"):
        gaelic = public_updates_for_contact(contact)[0].text
    with translation.override("en"):
        english = public_updates_for_contact(contact)[0].text

    assert english == "We have opened a case for your report."
    assert case.updates.get().text == english  # stored in English for staff
    assert gaelic == "Tha sinn air cùis fhosgladh airson na h-aithris agad."
