"""The demo's units and command and control key."""

from cairn.accounts.api_keys import client_for_key
from cairn.demo.dispatch import DEMO_COMMAND_AND_CONTROL_KEY, DEMO_UNITS, load_demo_dispatch
from cairn.dispatch.models import Resource
from cairn.places.models import Division


def test_demo_units_for_every_division_and_a_key_with_the_status_scope(divisions):
    created, key = load_demo_dispatch()
    assert created == Division.objects.count() * len(DEMO_UNITS)
    assert Resource.objects.filter(call_sign="E21", division_id="E").exists()
    assert key == DEMO_COMMAND_AND_CONTROL_KEY
    assert client_for_key(key).scopes == ["dispatch.status"]
    assert load_demo_dispatch() == (0, key)  # loading again adds nothing
