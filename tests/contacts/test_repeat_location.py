"""``contact.located`` says whether the place had another contact in the 30 days before."""

from datetime import timedelta

import pytest

from cairn.contacts.location_services import locate_contact
from cairn.contacts.models import Contact
from cairn.events.models import DomainEvent
from tests.contacts.test_location_services import contact, postcodes  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

NEAR_EH1_1YZ = (55.95035, -3.19300)
NEAR_EH1_3EG = (55.95314, -3.18825)  # about 430 m away


def repeat_location(located: Contact) -> bool:
    return DomainEvent.objects.get(name="contact.located", subject_id=str(located.pk)).data[
        "repeat_location"
    ]


def received_days_ago(located: Contact, days: int) -> None:
    Contact.objects.filter(pk=located.pk).update(
        received_at=located.received_at - timedelta(days=days)
    )


@pytest.mark.usefixtures("postcodes")
def test_a_second_contact_from_the_same_postcode_repeats_the_location():
    first = locate_contact(contact(postcode="EH1 1YZ"))
    second = locate_contact(contact(postcode="eh11yz"))
    elsewhere = locate_contact(contact(postcode="EH1 3EG"))

    assert (repeat_location(first), repeat_location(second)) == (False, True)
    assert repeat_location(elsewhere) is False
    assert DomainEvent.objects.get(subject_id=str(first.pk), name="contact.located").data == {
        "how": "postcode",
        "repeat_location": False,
    }


@pytest.mark.usefixtures("postcodes")
def test_only_the_30_days_before_count():
    old = locate_contact(contact(postcode="EH1 1YZ"))
    received_days_ago(old, 31)
    assert repeat_location(locate_contact(contact(postcode="EH1 1YZ"))) is False

    recent = locate_contact(contact(postcode="EH1 3EG"))
    received_days_ago(recent, 29)
    assert repeat_location(locate_contact(contact(postcode="EH1 3EG"))) is True


@pytest.mark.usefixtures("postcodes")
def test_coordinates_within_100_metres_repeat_the_location():
    latitude, longitude = NEAR_EH1_1YZ
    contact(latitude=latitude, longitude=longitude, location_accuracy_m=10)  # never located
    near = locate_contact(  # about 80 m north of it
        contact(latitude=latitude + 0.00072, longitude=longitude, location_accuracy_m=10)
    )
    Contact.objects.filter(pk=near.pk).delete()  # its postcode would match: leave coordinates
    too_far = locate_contact(  # about 130 m south of it, in the same postcode
        contact(latitude=latitude - 0.00117, longitude=longitude, location_accuracy_m=10)
    )

    assert repeat_location(near) is True
    assert repeat_location(too_far) is False
