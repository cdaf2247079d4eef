"""A decision hands its work to the app that does it, in the decision's transaction.

Immediate raises the incident for command and control (its next step stays open
until the last unit clears); a Resolution Team decision routes the case to the
team serving its division.
"""

from datetime import timedelta

import pytest

from cairn.accounts.models import Team
from cairn.cases.queries import case_for_contact
from cairn.dispatch.models import DispatchIncident, UpdateSource
from cairn.dispatch.status import StatusReport, record_status
from cairn.triage.hand_offs import HandOff, handlers_for, on_next_step
from cairn.triage.models import NextStepKind, NextStepStatus
from tests.triage.test_services import assessed, claimed, contact, decided_with  # noqa: F401

pytestmark = pytest.mark.django_db


def test_an_immediate_decision_raises_its_incident_and_keeps_the_step_open(assessed, advisor):  # noqa: F811
    decision = decided_with(assessed, advisor, "immediate", "dynamic_response")

    incident = DispatchIncident.objects.get(contact=assessed)
    assert incident.case == case_for_contact(assessed)
    assert incident.grade == "immediate"
    decision.next_step.refresh_from_db()
    assert decision.next_step.status == NextStepStatus.OPEN


def test_the_dispatch_step_is_done_when_the_last_unit_clears(
    assessed,  # noqa: F811
    advisor,
    supervisor,
    divisions,
):
    from cairn.dispatch.models import Resource, ResourceKind

    decision = decided_with(assessed, advisor, "immediate", "dynamic_response")
    incident = DispatchIncident.objects.get(contact=assessed)
    Resource.objects.create(call_sign="E21", division_id="E", kind=ResourceKind.RESPONSE_CAR)
    for minutes, status in ((5, "resource_assigned"), (9, "on_scene"), (30, "cleared")):
        record_status(
            incident,
            StatusReport(
                status=status,
                call_sign="E21",
                update_id=f"u-{status}",
                at=incident.raised_at + timedelta(minutes=minutes),
            ),
            source=UpdateSource.BOARD_OPERATOR,
            actor=supervisor,  # on the dispatch board
        )
        decision.next_step.refresh_from_db()
        expected = NextStepStatus.DONE if status == "cleared" else NextStepStatus.OPEN
        assert decision.next_step.status == expected


def test_a_resolution_team_decision_routes_the_case_to_the_divisions_team(assessed, advisor):  # noqa: F811
    team = Team.objects.create(name="Resolution Team – East", division_id=assessed.division_id)

    decided_with(assessed, advisor, "other_resolution", "resolution_team")

    assert case_for_contact(assessed).team == team


def test_handlers_register_once_per_function():
    @on_next_step("test_only_kind")
    def handler(hand_off: HandOff) -> None:  # pragma: no cover - never handed anything
        pass

    on_next_step("test_only_kind")(handler)

    assert handlers_for("test_only_kind") == [handler]
    assert handlers_for(NextStepKind.DISPATCH_REQUEST)  # dispatch registered at start
