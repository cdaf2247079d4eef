"""The dispatch board: who may see it, what it shows, and its actions (no JavaScript needed)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cairn.audit.models import AuditEvent, Operation, Outcome
from cairn.dispatch.models import (
    DispatchIncident,
    IncidentStatus,
    ResourceAssignment,
    ResourceStatus,
    StatusUpdate,
)
from cairn.dispatch.status import board_report
from tests.dispatch.conftest import raise_for
from tests.dispatch.test_status import report

BOARD = "/staff/dispatch/"


@pytest.fixture
def at_the_board(signed_in, operator):
    return signed_in(operator)


def assign_url(incident):
    return reverse("workspace:dispatch_assign", args=[incident.pk])


def status_url(incident):
    return reverse("workspace:dispatch_status", args=[incident.pk])


def update_id(page: str, form: str) -> str:
    return re.search(rf'name="{form}-update_id" value="([^"]+)"', page).group(1)


def test_the_url_name(db):
    assert reverse("workspace:dispatch_board") == BOARD


@pytest.mark.parametrize("persona", ["advisor", "analyst"])
def test_staff_without_the_dispatch_capability_get_403(request, signed_in, persona, divisions):
    response = signed_in(request.getfixturevalue(persona)).get(BOARD)
    assert response.status_code == 403
    assert AuditEvent.objects.filter(
        operation=Operation.ACCESS_DENIED, object_type="dispatch_board", outcome=Outcome.DENIED
    ).exists()


def test_signed_out_is_sent_to_sign_in(client, db):
    response = client.get(BOARD)
    assert response.status_code == 302
    assert "/staff/sign-in/" in response["Location"]


def test_a_supervisor_may_use_the_board(signed_in, supervisor, divisions):
    assert signed_in(supervisor).get(BOARD).status_code == 200


def test_the_board_shows_open_incidents_and_resources_and_is_audited(at_the_board, incident, units):
    page = at_the_board.get(BOARD).content.decode()
    assert incident.contact.reference in page
    assert "Immediate" in page and "Assault" in page
    assert "12 Leith Walk, Edinburgh, EH6 8RG" in page
    assert "Waiting to be sent" in page
    for call_sign in units:
        assert call_sign in page
    audit = AuditEvent.objects.get(operation=Operation.CONSULTATION, object_type="dispatch_board")
    assert audit.context["incidents"] == [incident.pk]


def test_a_division_filter_shows_that_division_only(at_the_board, incident, units):
    page = at_the_board.get(BOARD, {"division": "G"}).content.decode()
    assert incident.contact.reference not in page
    assert "G21" in page and "E21" not in page


def test_cleared_incidents_leave_the_board(at_the_board, incident, units):
    DispatchIncident.objects.filter(pk=incident.pk).update(
        status=IncidentStatus.CLEARED, cleared_at=incident.raised_at
    )
    page = at_the_board.get(BOARD).content.decode()
    assert incident.contact.reference not in page
    assert "No incidents are open." in page


def test_the_operator_assigns_marks_on_scene_and_clears(at_the_board, incident, units):
    page = at_the_board.get(BOARD).content.decode()
    response = at_the_board.post(
        assign_url(incident),
        {
            f"assign-{incident.pk}-resource": units["E21"].pk,
            f"assign-{incident.pk}-update_id": update_id(page, f"assign-{incident.pk}"),
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#incident-{incident.pk}")
    page = at_the_board.get(response["Location"]).content.decode()
    assert f"E21 assigned to {incident.contact.reference}." in page
    units["E21"].refresh_from_db()
    assert units["E21"].status == ResourceStatus.ASSIGNED

    for status in ("on_scene", "cleared"):
        response = at_the_board.post(
            status_url(incident),
            {
                f"status-{incident.pk}-status": status,
                f"status-{incident.pk}-resource": str(units["E21"].pk),
                f"status-{incident.pk}-update_id": update_id(page, f"status-{incident.pk}"),
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        page = at_the_board.get(response["Location"]).content.decode()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLEARED
    assert [u.status for u in StatusUpdate.objects.order_by("pk")] == [
        "resource_assigned",
        "on_scene",
        "cleared",
    ]
    assert {u.source for u in StatusUpdate.objects.all()} == {"board_operator"}


def test_a_double_click_is_stored_once(at_the_board, incident, units):
    page = at_the_board.get(BOARD).content.decode()
    form = {
        f"assign-{incident.pk}-resource": units["E21"].pk,
        f"assign-{incident.pk}-update_id": update_id(page, f"assign-{incident.pk}"),
    }
    at_the_board.post(assign_url(incident), form)
    response = at_the_board.post(assign_url(incident), form, follow=True)
    assert "That update was already recorded." in response.content.decode()
    assert StatusUpdate.objects.count() == 1


def test_assigning_nothing_says_what_to_fix_and_keeps_the_board(at_the_board, incident, units):
    response = at_the_board.post(
        assign_url(incident), {f"assign-{incident.pk}-update_id": "board-x"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'href="#id_assign-{incident.pk}-resource"' in page
    assert "Choose a resource to assign." in page
    assert not ResourceAssignment.objects.exists()


def test_a_status_for_all_resources_other_than_cleared_is_refused(at_the_board, incident, units):
    response = at_the_board.post(
        status_url(incident),
        {
            f"status-{incident.pk}-status": "on_scene",
            f"status-{incident.pk}-resource": "all",
            f"status-{incident.pk}-update_id": "board-y",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose one resource: only clearing applies to all." in page
    # What the operator chose is still chosen.
    assert re.search(r'<option value="on_scene" selected>', page)


def test_a_busy_unit_is_refused_with_the_reason(at_the_board, incident, units, handler):
    other = raise_for(handler, narrative="Another one.")
    ResourceAssignment.objects.create(
        incident=other, resource=units["E21"], assigned_at=other.raised_at
    )
    response = at_the_board.post(
        assign_url(incident),
        {f"assign-{incident.pk}-resource": units["E21"].pk, f"assign-{incident.pk}-update_id": "z"},
    )
    # E21 is listed as available still (its status was not changed above), so the
    # form accepts it and the service refuses it.
    assert response.status_code == 400
    assert "E21 is on another incident: clear it there first." in response.content.decode()


def test_a_failed_hand_off_is_loud_and_can_be_retried(at_the_board, incident, units):
    DispatchIncident.objects.filter(pk=incident.pk).update(
        status=IncidentStatus.FAILED, attempts=5, last_error="command and control answered HTTP 503"
    )
    page = at_the_board.get(BOARD).content.decode()
    assert "1 hand-off to command and control failed" in page
    assert "failed after 5 attempts (command and control answered HTTP 503)" in page
    response = at_the_board.post(reverse("workspace:dispatch_retry", args=[incident.pk]))
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.PENDING


def test_retrying_a_hand_off_that_did_not_fail_is_a_409(at_the_board, incident, units):
    response = at_the_board.post(reverse("workspace:dispatch_retry", args=[incident.pk]))
    assert response.status_code == 409
    assert "Only a failed hand-off can be tried again" in response.content.decode()


def test_an_unknown_incident_is_a_404(at_the_board, units):
    assert at_the_board.post("/staff/dispatch/incidents/999999/assign/").status_code == 404


def test_an_advisor_may_not_post_to_the_board(signed_in, advisor, incident, units):
    response = signed_in(advisor).post(
        assign_url(incident),
        {f"assign-{incident.pk}-resource": units["E21"].pk, f"assign-{incident.pk}-update_id": "z"},
    )
    assert response.status_code == 403
    assert not StatusUpdate.objects.exists()


def board_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(BOARD).status_code == 200
    return len(queries)


def test_the_board_runs_the_same_queries_for_one_incident_or_many(
    at_the_board, incident, units, handler, status_key
):
    report(incident, status_key[0], "resource_assigned", "E21")
    one = board_queries(at_the_board)
    for number in range(4):
        other = raise_for(handler, narrative=f"Incident {number}.")
        if number < 2:
            report(other, status_key[0], "resource_assigned", ("E22", "E41")[number])
    assert board_queries(at_the_board) == one
    assert one <= 12, one  # session, user, device, the board's reads, its audit row


def test_a_second_click_on_clear_is_stored_once(at_the_board, incident, units, operator):
    board_report(
        incident, status="resource_assigned", resource=units["E21"], update_id="a", actor=operator
    )
    form = {
        f"status-{incident.pk}-status": "cleared",
        f"status-{incident.pk}-resource": str(units["E21"].pk),
        f"status-{incident.pk}-update_id": "board-clear-1",
    }
    assert at_the_board.post(status_url(incident), form).status_code == 302
    again = at_the_board.post(status_url(incident), form, follow=True)
    assert "That update was already recorded." in again.content.decode()
    assert StatusUpdate.objects.filter(status="cleared").count() == 1


def test_an_update_to_an_incident_cleared_meanwhile_says_so(at_the_board, incident, units):
    DispatchIncident.objects.filter(pk=incident.pk).update(
        status=IncidentStatus.CLEARED, cleared_at=incident.raised_at
    )
    response = at_the_board.post(
        status_url(incident),
        {
            f"status-{incident.pk}-status": "cleared",
            f"status-{incident.pk}-resource": "all",
            f"status-{incident.pk}-update_id": "board-late",
        },
    )
    assert response.status_code == 400
    assert "This incident is cleared: it takes no more updates." in response.content.decode()
