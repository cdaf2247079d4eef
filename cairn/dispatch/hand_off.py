"""An Immediate or Prompt decision raises its incident for command and control, in its transaction.

Registered with triage's hand-offs (``cairn.triage.hand_offs``) when the app is
ready; triage never imports dispatch. A failure to raise the incident refuses
the decision: an Immediate contact must never look decided with nothing sent.
The next step stays open until the last unit clears (``status.record_status``).
"""

from cairn.dispatch.services import raise_incident
from cairn.triage.hand_offs import HandOff, on_next_step
from cairn.triage.models import NextStepKind


@on_next_step(NextStepKind.DISPATCH_REQUEST)
def raise_the_incident(hand_off: HandOff) -> None:
    raise_incident(
        hand_off.case,
        hand_off.contact,
        grade=hand_off.grade,
        pathway=hand_off.pathway,
        actor=hand_off.actor,
        cues=list(hand_off.cues),
    )
