"""Handing a decision's work to the app that does it, without triage importing that app.

A work app (dispatch, the Resolution Team's work) registers a function for a
next step kind from its ``AppConfig.ready``::

    from cairn.triage.hand_offs import on_next_step

    @on_next_step("dispatch_request")
    def raise_it(hand_off: HandOff) -> None: ...

``decisions._record_decision`` calls ``hand_off`` inside the decision's
transaction, after the case is open, so the work is started with the decision
or not at all. A handler that raises refuses the decision: the handler decides
whether its failure should (dispatch: an Immediate incident that cannot be
raised must not look decided) or should not (routing to a team) stop it.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cairn.contacts.models import Contact


@dataclass(frozen=True)
class HandOff:
    contact: Contact
    case: Any  # cairn.cases.models.Case (or None when the next step needs no case)
    kind: str  # the next step kind (cairn.triage.models.NextStepKind)
    grade: str
    pathway: str
    actor: Any
    cues: tuple[str, ...]  # the labels of the cues raised on the contact


Handler = Callable[[HandOff], None]
_handlers: dict[str, list[Handler]] = defaultdict(list)


def on_next_step(kind: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` for decisions whose next step is ``kind`` (once per function)."""

    def register(handler: Handler) -> Handler:
        if handler not in _handlers[kind]:
            _handlers[kind].append(handler)
        return handler

    return register


def handlers_for(kind: str) -> list[Handler]:
    return list(_handlers.get(kind, ()))


def hand_off(hand_off: HandOff) -> None:
    """Run every handler registered for the next step, in registration order."""
    for handler in handlers_for(hand_off.kind):
        handler(hand_off)
