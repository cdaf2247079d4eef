"""A Resolution Team decision gives the case to the team that serves its division.

Registered with triage's hand-offs (``cairn.triage.hand_offs``) when the app is
ready. Routing never refuses (``route_to_resolution_team``): the decision stands
even if no Resolution Team exists, and supervisors see the case without a team.
The task itself stays open until an officer closes the case.
"""

from cairn.resolution.services import route_to_resolution_team
from cairn.triage.hand_offs import HandOff, on_next_step
from cairn.triage.models import NextStepKind


@on_next_step(NextStepKind.RESOLUTION_TASK)
def route_the_case(hand_off: HandOff) -> None:
    route_to_resolution_team(hand_off.case, actor=hand_off.actor)
