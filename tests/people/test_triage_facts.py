"""Triage reads the person: their unrestricted markers and their recent contacts."""

import pytest

from cairn.people.markers import add_marker
from cairn.people.services import match_contact
from cairn.triage.models import Cue
from cairn.triage.policy import current_policy
from cairn.triage.queries import facts_for
from cairn.triage.services import raise_cues_for
from tests.people.conftest import new_contact

pytestmark = pytest.mark.django_db


def test_markers_of_the_linked_person_reach_the_cue_rules(morag, handler):
    add_marker(morag, kind="repeat_victim", source="Three reports", actor=handler)
    add_marker(morag, kind="domestic_abuse_victim", source="MARAC", actor=handler)  # restricted
    contact = new_contact()
    match_contact(contact.pk)
    facts = facts_for(contact, None, current_policy())
    assert facts.markers == ("repeat_victim",)


def test_raising_cues_matches_the_contact_first(morag, handler):
    add_marker(morag, kind="repeat_victim", source="Three reports", actor=handler)
    contact = new_contact()
    raise_cues_for(contact)
    assert Cue.objects.filter(
        contact=contact, kind="repeat_victim", source="person markers"
    ).exists()


def test_recent_contacts_count_the_person_across_their_numbers(morag):
    first = new_contact(reporter_phone="", reporter_email="morag.macleod@example.org")
    second = new_contact(reporter_email="", reporter_phone="07700 900123")
    for contact in (first, second):
        match_contact(contact.pk)
    third = new_contact(reporter_email="", reporter_phone="07700 900123")
    match_contact(third.pk)
    assert facts_for(third, None, current_policy()).recent_contacts_from_person == 2
