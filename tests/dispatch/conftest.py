"""Dispatch fixtures: a control room operator, units, an incident raised, a fake command and
control server, and the real procrastinate worker on the dispatch queue."""

import pytest

from cairn.accounts.api_keys import issue_api_key
from cairn.accounts.roles import Role
from cairn.audit.context import acting_as
from cairn.cases.models import Case
from cairn.cases.services import open_case
from cairn.dispatch.models import Resource, ResourceKind
from cairn.dispatch.services import raise_incident
from cairn.dispatch.status import STATUS_SCOPE
from tests.cases.conftest import new_contact
from tests.conftest import make_staff
from tests.dispatch.fake_command_and_control import TOKEN, FakeCommandAndControl
from tests.workers import run_worker as run_queues


@pytest.fixture
def operator(db):
    return make_staff("controlroom", Role.CONTROL_ROOM_OPERATOR, last_name="MacLeod")


@pytest.fixture
def handler(db):
    return make_staff("handler", Role.SERVICE_ADVISOR, last_name="Drummond")


@pytest.fixture
def units(divisions):
    """Three Edinburgh units and one in Glasgow."""
    return {
        call_sign: Resource.objects.create(call_sign=call_sign, division_id=division, kind=kind)
        for call_sign, division, kind in [
            ("E21", "E", ResourceKind.RESPONSE_CAR),
            ("E22", "E", ResourceKind.RESPONSE_CAR),
            ("E41", "E", ResourceKind.DOG),
            ("G21", "G", ResourceKind.VAN),
        ]
    }


def emergency_contact(**changes):
    fields = {
        "channel": "phone_999",
        "category": "crime.assault",
        "narrative": "Two men fighting outside the chip shop.\nOne has a bottle.",
        "reporter_name": "Morag Fraser",
        "reporter_email": "",
        "reporter_phone": "0131 555 0123",
        "address_text": "12 Leith Walk, Edinburgh",
        "postcode": "EH6 8RG",
        "latitude": 55.9644,
        "longitude": -3.1766,
        "location_accuracy_m": 25,
        **changes,
    }
    return new_contact(**fields)


def case_for(contact, actor, category: str = "crime.assault", division: str = "E") -> Case:
    case = open_case(contact, category=category, actor=actor)
    Case.objects.filter(pk=case.pk).update(division_id=division)
    case.division_id = division
    return case


def raise_for(actor, grade: str = "immediate", **changes):
    """A new 999 contact, its case, and the incident raised for it."""
    contact = emergency_contact(**changes)
    case = case_for(contact, actor)
    pathway = "dynamic_response" if grade == "immediate" else "deploy_asap"
    return raise_incident(case, contact, grade=grade, pathway=pathway, actor=actor)


@pytest.fixture
def incident(handler, divisions):
    return raise_for(handler)


@pytest.fixture
def command_and_control(settings):
    fake = FakeCommandAndControl()
    settings.CAIRN_COMMAND_AND_CONTROL_URL = fake.url
    settings.CAIRN_COMMAND_AND_CONTROL_TOKEN = TOKEN
    settings.CAIRN_COMMAND_AND_CONTROL_RETRY_SECONDS = 0  # retries due at once
    settings.CAIRN_COMMAND_AND_CONTROL_MAX_ATTEMPTS = 3
    settings.CAIRN_COMMAND_AND_CONTROL_TIMEOUT_SECONDS = 2
    yield fake
    fake.close()


@pytest.fixture
def status_key(db):
    """(client, key) for command and control: the dispatch.status scope."""
    with acting_as("command"):
        return issue_api_key("Command and control", scopes=(STATUS_SCOPE,))


def run_worker() -> None:
    """The real worker on the dispatch queue until nothing is left to do (tests/workers.py)."""
    run_queues("dispatch")
