"""Contacts with and without a case, a closed case, and a test URL conf with /staff/feedback/."""

import pytest

from cairn.cases.services import close_case, open_case
from tests.cases.conftest import handler, new_contact  # noqa: F401 (fixture)


@pytest.fixture
def contact(db):
    return new_contact()


@pytest.fixture
def open_case_for(handler):  # noqa: F811
    def _open(contact):
        return open_case(contact, category="crime.theft", actor=handler)

    return _open


@pytest.fixture
def closed_case(contact, handler):  # noqa: F811
    case = open_case(contact, category="crime.theft", actor=handler)
    return close_case(
        case, outcome="no_crime", public_message="We found no crime took place.", actor=handler
    )
