import pytest

from cairn.accounts.models import Team
from cairn.accounts.roles import Role
from cairn.audit.context import acting_as
from cairn.contacts.models import Contact
from cairn.contacts.services import ContactSubmission, receive_contact
from tests.conftest import make_staff


def new_contact(**changes) -> Contact:
    fields = {
        "channel": "web_form",
        "narrative": "Someone took my bike from the stair on Leith Walk.",
        "category": "crime.theft",
        "reporter_name": "Morag MacLeod",
        "reporter_email": "morag.macleod@example.org",
        "postcode": "EH6 5DT",
        **changes,
    }
    with acting_as("web"):
        return Contact.objects.get(pk=receive_contact(ContactSubmission(**fields)).contact_id)


@pytest.fixture
def handler(db):
    return make_staff("handler", Role.SERVICE_ADVISOR, last_name="Drummond")


@pytest.fixture
def resolution_officer(db):
    return make_staff("resolver", Role.RESOLUTION_OFFICER, last_name="Baird")


@pytest.fixture
def analyst(db):
    return make_staff("analyst", Role.ANALYST)


@pytest.fixture
def team(db):
    return Team.objects.create(name="Resolution Team East")


@pytest.fixture
def contact(db):
    return new_contact()
