"""Placing a contact after intake: its division from the postcode or the coordinates."""

import pytest

from cairn.audit.context import acting_as
from cairn.contacts.location_services import locate_contact
from cairn.contacts.models import Contact
from cairn.contacts.services import ContactSubmission, receive_contact
from cairn.events.models import DomainEvent
from cairn.places.postcodes import load_postcodes
from tests.places.directory_files import write_directory

pytestmark = pytest.mark.django_db


@pytest.fixture
def postcodes(divisions, tmp_path):
    load_postcodes(everything=True, directory=write_directory(tmp_path))


def contact(**fields) -> Contact:
    with acting_as("web"):
        receipt = receive_contact(
            ContactSubmission(channel="device", narrative="Alarm pressed", **fields)
        )
    return Contact.objects.get(pk=receipt.contact_id)


def test_the_postcode_gives_the_division(postcodes):
    located = locate_contact(contact(postcode="EH1 1YZ"))
    assert located.division_id == "E"
    assert Contact.objects.get(pk=located.pk).division_id == "E"
    assert DomainEvent.objects.filter(name="contact.located", division="E").exists()


def test_coordinates_alone_give_the_division_and_the_nearest_postcode(postcodes):
    located = locate_contact(contact(latitude=55.95035, longitude=-3.19300, location_accuracy_m=10))
    saved = Contact.objects.get(pk=located.pk)
    assert (saved.division_id, saved.postcode) == ("E", "EH1 1YZ")


def test_nothing_to_go_on_changes_nothing(postcodes):
    located = locate_contact(contact())
    assert located.division_id is None
    assert not DomainEvent.objects.filter(name="contact.located").exists()
