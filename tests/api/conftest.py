import pytest

from cairn.accounts.api_keys import issue_api_key
from cairn.audit.context import acting_as


@pytest.fixture
def integrator(db):
    """(client, key) for an API integrator."""
    with acting_as("command"):
        return issue_api_key("Test integrator")


@pytest.fixture
def api_headers(integrator):
    _client, key = integrator
    return {"Authorization": f"Bearer {key}"}
