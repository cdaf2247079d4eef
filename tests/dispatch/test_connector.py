"""The connector against a real local command and control stand-in, run by the real worker.

Transactional tests: the worker uses its own connections, so it must see
committed rows.
"""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone

from cairn.accounts.roles import Role
from cairn.cases.models import CaseUpdate, UpdateKind, Visibility
from cairn.dispatch import connector
from cairn.dispatch.eido import to_json
from cairn.dispatch.models import DispatchIncident, IncidentStatus
from cairn.dispatch.services import retry_handoff
from cairn.events.models import DomainEvent
from tests.conftest import make_staff
from tests.dispatch.conftest import raise_for, run_worker
from tests.dispatch.fake_command_and_control import TOKEN
from tests.dispatch.test_eido import schema_errors

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def raised(handler, divisions, command_and_control):
    return raise_for(handler)


def test_the_document_is_posted_once_acknowledged_and_valid(raised, command_and_control):
    run_worker()
    incident = DispatchIncident.objects.get(pk=raised.pk)
    assert incident.status == IncidentStatus.ACKNOWLEDGED
    assert incident.command_and_control_id == "CC-00001"
    assert incident.attempts == 1
    assert incident.sent_at is not None and incident.last_error == ""
    (request,) = command_and_control.requests
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert request["headers"]["Idempotency-Key"] == incident.eido_id
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["raw"] == to_json(incident.document).encode()
    assert schema_errors(request["json"]) == []
    sent = DomainEvent.objects.get(name="dispatch.sent")
    assert sent.data["attempts"] == 1 and sent.data["acknowledged"] is True
    assert sent.data["minutes_since_raised"] >= 0


def test_a_receiver_that_gives_no_number_leaves_it_sent(raised, command_and_control):
    command_and_control.answer_with_id = False
    run_worker()
    incident = DispatchIncident.objects.get(pk=raised.pk)
    assert (incident.status, incident.command_and_control_id) == (IncidentStatus.SENT, "")


def test_a_500_is_retried_with_the_same_document_until_it_goes(raised, command_and_control):
    command_and_control.failures = 2
    run_worker()
    incident = DispatchIncident.objects.get(pk=raised.pk)
    assert incident.status == IncidentStatus.ACKNOWLEDGED
    assert incident.attempts == 3
    assert len(command_and_control.requests) == 3
    assert len({request["raw"] for request in command_and_control.requests}) == 1
    retrying = DomainEvent.objects.filter(name="dispatch.send_retrying").order_by("pk")
    assert [event.data["attempts"] for event in retrying] == [1, 2]


def test_it_gives_up_after_the_last_attempt_loudly(raised, command_and_control):
    command_and_control.failures = 10
    run_worker()
    incident = DispatchIncident.objects.get(pk=raised.pk)
    assert incident.status == IncidentStatus.FAILED
    assert incident.attempts == 3 and incident.failed_at is not None
    assert incident.last_error == "command and control answered HTTP 500"
    assert len(command_and_control.requests) == 3
    assert DomainEvent.objects.get(name="dispatch.failed").data["attempts"] == 3
    note = CaseUpdate.objects.filter(
        case=incident.case, kind=UpdateKind.DISPATCH, visibility=Visibility.INTERNAL
    ).last()
    assert "failed after 3 attempts" in note.text


def test_a_refusal_other_than_5xx_is_not_retried(raised, command_and_control):
    command_and_control.failures = 1
    command_and_control.failure_status = 400
    run_worker()
    incident = DispatchIncident.objects.get(pk=raised.pk)
    assert (incident.status, incident.attempts) == (IncidentStatus.FAILED, 1)
    assert incident.last_error == "command and control answered HTTP 400"


def test_a_timeout_is_retried(raised, command_and_control, settings):
    settings.CAIRN_COMMAND_AND_CONTROL_TIMEOUT_SECONDS = 0.3
    command_and_control.delay_seconds = 1.0
    command_and_control.failures = 0
    result = connector.send(raised.pk)
    assert result.retry_in == 0
    incident = DispatchIncident.objects.get(pk=raised.pk)
    assert incident.status == IncidentStatus.PENDING
    assert incident.last_error == "no answer from command and control in 0.3 s"
    assert incident.sending_since is None


def test_no_one_listening_is_retried_then_failed(raised, command_and_control, settings):
    command_and_control.close()
    run_worker()
    incident = DispatchIncident.objects.get(pk=raised.pk)
    assert incident.status == IncidentStatus.FAILED
    assert incident.last_error.startswith("could not reach command and control")


def test_a_retried_hand_off_that_arrived_before_is_deduplicated_there(raised, command_and_control):
    run_worker()
    # The answer was lost, say: the same document goes again after a board retry.
    DispatchIncident.objects.filter(pk=raised.pk).update(
        status=IncidentStatus.FAILED, command_and_control_id=""
    )
    retry_handoff(raised, actor=make_staff("controlroom", Role.CONTROL_ROOM_OPERATOR))
    run_worker()
    assert len(command_and_control.requests) == 2
    assert command_and_control.incidents == {raised.eido_id: "CC-00001"}
    incident = DispatchIncident.objects.get(pk=raised.pk)
    assert incident.command_and_control_id == "CC-00001"


def test_two_workers_never_post_one_incident_at_once(raised, command_and_control):
    command_and_control.delay_seconds = 0.5

    def send(_number: int) -> connector.Attempt:
        try:
            return connector.send(raised.pk)
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(send, range(4)))
    assert len(command_and_control.requests) == 1
    assert sorted(result.status for result in results) == ["", "", "", "acknowledged"]


def test_without_a_url_nothing_is_posted_and_it_waits_on_the_board(handler, divisions, settings):
    settings.CAIRN_COMMAND_AND_CONTROL_URL = ""
    incident = raise_for(handler)
    run_worker()
    incident.refresh_from_db()
    assert (incident.status, incident.attempts) == (IncidentStatus.PENDING, 0)


def test_a_post_left_by_a_dead_worker_is_freed_and_sent(raised, command_and_control):
    stale = timezone.now() - connector.STALLED_AFTER * 2
    DispatchIncident.objects.filter(pk=raised.pk).update(sending_since=stale, attempts=1)
    assert connector.send(raised.pk).status == ""  # claimed by the dead worker
    assert connector.requeue_stalled() == 1
    run_worker()
    incident = DispatchIncident.objects.get(pk=raised.pk)
    assert incident.status == IncidentStatus.ACKNOWLEDGED
    assert incident.attempts == 2
    assert json.loads(command_and_control.requests[-1]["raw"])["$id"] == incident.eido_id
