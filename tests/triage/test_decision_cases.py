"""A decision whose next step is police work opens the contact's case; advice does not."""

import pytest

from cairn.cases.models import Case
from cairn.cases.queries import case_for_contact
from tests.triage.test_services import assessed, claimed, contact, decided_with  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_resolution_team_decision_opens_a_case_under_the_mapped_category(assessed, advisor):  # noqa: F811
    decided_with(assessed, advisor, "other_resolution", "resolution_team")
    case = case_for_contact(assessed)
    assert case is not None
    assert case.category == "crime.vehicle"  # the contact's "crime.vehicle" maps to it
    assert case.updates.filter(visibility="public").exists()


def test_advice_opens_no_case(assessed, advisor):  # noqa: F811
    decided_with(assessed, advisor, "other_resolution", "advice_signposting")
    assert case_for_contact(assessed) is None


def test_a_regrade_keeps_the_one_case(assessed, advisor):  # noqa: F811
    from cairn.triage import decisions

    decided_with(assessed, advisor, "other_resolution", "resolution_team")
    decisions.regrade(assessed, advisor, "standard", "local_policing_appointment", "Needs a visit.")
    assert Case.objects.count() == 1
