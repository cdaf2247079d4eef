"""Decision events say whether the handler recorded a rationale (regrades with and without)."""

import pytest

from cairn.events.models import DomainEvent
from cairn.triage import decisions
from tests.triage.test_services import (  # noqa: F401 (fixtures)
    assessed,
    claimed,
    contact,
    decided,
    suggested,
)

pytestmark = pytest.mark.django_db


def test_a_decision_that_follows_the_suggestion_has_no_rationale(assessed, advisor):  # noqa: F811
    decisions.decide(assessed, advisor, *suggested(assessed))

    assert DomainEvent.objects.get(name="contact.decided").data["has_rationale"] is False


def test_a_regrade_and_a_transfer_carry_their_rationale(decided, advisor):  # noqa: F811
    decisions.regrade(decided, advisor, "prompt", "deploy_asap", "Suspect seen nearby.")
    decisions.transfer(decided, advisor, "Road Policing", "A road traffic matter.")

    assert DomainEvent.objects.get(name="contact.regraded").data["has_rationale"] is True
    transferred = DomainEvent.objects.get(name="contact.transferred").data
    assert (transferred["has_rationale"], transferred["transferred"]) == (True, True)
