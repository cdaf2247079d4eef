"""The demo people make the person panel worth opening on a fresh `make run`."""

import pytest

from cairn.contacts.models import Contact
from cairn.demo.data import load_demo_data
from cairn.people.models import MatterRole, Person, PossibleMatch
from cairn.people.services import match_pending_contacts

pytestmark = pytest.mark.django_db


def test_the_repeat_caller_is_linked_and_the_text_offers_its_sender():
    load_demo_data()
    match_pending_contacts()
    latest_call = Contact.objects.filter(reporter_name="Ali Khan").order_by("-received_at").first()
    ali = MatterRole.objects.get(contact=latest_call).person
    assert ali.roles.count() == 3
    assert ali.markers.filter(kind="repeat_victim").exists()
    text = Contact.objects.get(channel="sms", source="demo")
    assert PossibleMatch.objects.get(contact=text).person.family_name == "Lennox"


def test_loading_again_adds_no_people():
    load_demo_data()
    count = Person.objects.count()
    load_demo_data()
    assert Person.objects.count() == count
