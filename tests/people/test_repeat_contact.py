"""``person.linked`` says whether the reporter had reported another contact in 30 days."""

from datetime import timedelta

import pytest

from cairn.contacts.models import Contact
from cairn.events.models import DomainEvent
from cairn.people.models import MatterRole
from cairn.people.services import link_person_to_contact, match_contact, unlink
from tests.people.conftest import new_contact

pytestmark = pytest.mark.django_db


def linked(contact: Contact) -> dict:
    return DomainEvent.objects.get(name="person.linked", data__contact=contact.pk).data


def test_a_reporter_back_within_30_days_is_a_repeat_contact(morag):
    first, second = new_contact(), new_contact()
    match_contact(first.pk)
    match_contact(second.pk)

    assert linked(first)["repeat_contact"] is False
    assert linked(second) == {
        "contact": second.pk,
        "role": "reporter",
        "method": "automatic",
        "repeat_contact": True,
    }


def test_a_contact_more_than_30_days_before_does_not_count(morag):
    old = new_contact()
    match_contact(old.pk)
    Contact.objects.filter(pk=old.pk).update(received_at=old.received_at - timedelta(days=31))
    later = new_contact()
    match_contact(later.pk)

    assert linked(later)["repeat_contact"] is False


def test_an_ended_link_does_not_count(morag, handler):
    wrong = new_contact()
    match_contact(wrong.pk)
    unlink(MatterRole.objects.get(contact=wrong), actor=handler, reason="Another Morag")
    later = new_contact()
    match_contact(later.pk)

    assert linked(later)["repeat_contact"] is False


def test_only_a_reporter_link_says_whether_it_repeats(morag, handler):
    reported = new_contact()
    match_contact(reported.pk)
    other = new_contact(reporter_name="Alasdair Grant", reporter_email="", reporter_phone="")
    link_person_to_contact(other, morag, role="witness", actor=handler)

    assert "repeat_contact" not in linked(other)
