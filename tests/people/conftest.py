import pytest

from cairn.accounts.roles import Role
from cairn.audit.context import acting_as
from cairn.contacts.models import Contact
from cairn.contacts.services import ContactSubmission, receive_contact
from cairn.people.services import record_person
from tests.conftest import make_staff


def new_contact(**changes) -> Contact:
    fields = {
        "channel": "web_form",
        "narrative": "Someone took my bike from the stair.",
        "category": "crime.theft",
        "reporter_name": "Morag MacLeod",
        "reporter_email": "morag.macleod@example.org",
        "reporter_phone": "07700 900123",
        **changes,
    }
    with acting_as("web"):
        return Contact.objects.get(pk=receive_contact(ContactSubmission(**fields)).contact_id)


@pytest.fixture
def handler(db):
    return make_staff("handler", Role.SERVICE_ADVISOR)


@pytest.fixture
def officer_of_disclosure(db):
    return make_staff("disclosure", Role.SUPERVISOR)


@pytest.fixture
def morag(handler):
    with acting_as("web", user=handler):
        return record_person(
            given_name="Morag",
            family_name="MacLeod",
            date_of_birth="1979-05-14",
            phones=("07700 900123",),
            emails=("Morag.MacLeod@example.org",),
            address="12 Leith Walk, Edinburgh",
            postcode="EH6 5DT",
            actor=handler,
        )
