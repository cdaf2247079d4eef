"""The app that does a decision's work marks its next step done, once."""

import pytest

from cairn.events.models import DomainEvent
from cairn.triage.models import NextStepKind, NextStepStatus
from cairn.triage.next_steps import complete_next_step, open_next_step
from tests.triage.test_services import assessed, claimed, contact, decided_with  # noqa: F401

pytestmark = pytest.mark.django_db


def test_completing_the_open_step_marks_it_done_with_an_event(assessed, advisor):  # noqa: F811
    decided_with(assessed, advisor, "standard", "local_policing_appointment")
    assert open_next_step(assessed, NextStepKind.APPOINTMENT_TO_BOOK) is not None

    step = complete_next_step(assessed, NextStepKind.APPOINTMENT_TO_BOOK)

    step.refresh_from_db()
    assert step.status == NextStepStatus.DONE
    assert open_next_step(assessed, NextStepKind.APPOINTMENT_TO_BOOK) is None
    assert (
        DomainEvent.objects.filter(name="next_step.done", subject_id=str(assessed.pk)).count() == 1
    )


def test_completing_a_kind_the_decision_did_not_ask_for_does_nothing(assessed, advisor):  # noqa: F811
    decided_with(assessed, advisor, "standard", "local_policing_appointment")

    assert complete_next_step(assessed, NextStepKind.REFERRAL) is None
    assert open_next_step(assessed, NextStepKind.APPOINTMENT_TO_BOOK) is not None
