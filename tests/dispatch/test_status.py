"""Status back: assignments, units' statuses, the incident's progress, the timeline, once per id."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cairn.cases.models import CaseUpdate, UpdateKind, Visibility
from cairn.dispatch.models import (
    IncidentStatus,
    ResourceAssignment,
    ResourceStatus,
    StatusUpdate,
    UpdateSource,
)
from cairn.dispatch.status import (
    ASSIGNED_TEXT_CODE,
    ON_SCENE_TEXT_CODE,
    IncidentCleared,
    ResourceBusy,
    ResourceNeeded,
    StatusReport,
    UnknownResource,
    UpdateIdReused,
    board_report,
    record_status,
)
from cairn.events.models import DomainEvent
from tests.dispatch.conftest import raise_for

CC = UpdateSource.COMMAND_AND_CONTROL


@pytest.fixture
def client_with_scope(status_key):
    return status_key[0]


def report(incident, client, status, call_sign="", update_id=None, minutes=10, **extra):
    return record_status(
        incident,
        StatusReport(
            status=status,
            call_sign=call_sign,
            update_id=update_id or f"{status}-{call_sign}",
            at=incident.raised_at + timedelta(minutes=minutes),
            **extra,
        ),
        source=CC,
        api_client=client,
    )


def timeline(incident, visibility):
    return list(
        CaseUpdate.objects.filter(
            case=incident.case, kind=UpdateKind.DISPATCH, visibility=visibility
        ).values_list("text", flat=True)
    )


def public_codes(incident):
    return list(
        CaseUpdate.objects.filter(case=incident.case, visibility=Visibility.PUBLIC)
        .exclude(text_code="")
        .values_list("text_code", flat=True)
    )


def test_a_journey_assigned_en_route_on_scene_cleared(incident, units, client_with_scope):
    e21 = units["E21"]
    report(incident, client_with_scope, "resource_assigned", "E21", minutes=2)
    incident.refresh_from_db()
    e21.refresh_from_db()
    assert incident.status == IncidentStatus.RESOURCE_ASSIGNED
    assert e21.status == ResourceStatus.ASSIGNED
    report(incident, client_with_scope, "en_route", "E21", minutes=3)
    e21.refresh_from_db()
    assert e21.status == ResourceStatus.EN_ROUTE
    report(incident, client_with_scope, "on_scene", "E21", minutes=9)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ON_SCENE
    report(incident, client_with_scope, "cleared", "E21", minutes=40)
    incident.refresh_from_db()
    e21.refresh_from_db()
    assert incident.status == IncidentStatus.CLEARED
    assert incident.cleared_at == incident.raised_at + timedelta(minutes=40)
    assert e21.status == ResourceStatus.AVAILABLE
    assert ResourceAssignment.objects.get().cleared_at is not None

    internal = timeline(incident, Visibility.INTERNAL)[1:]  # after "Passed to command and control"
    assert internal == [
        "E21 assigned. (command and control)",
        "E21 en route. (command and control)",
        "E21 on scene. (command and control)",
        "E21 cleared. Incident cleared. (command and control)",
    ]
    assert public_codes(incident) == [
        "case_opened",
        "dispatch_raised",
        ASSIGNED_TEXT_CODE,
        ON_SCENE_TEXT_CODE,
    ]
    events = DomainEvent.objects.filter(name="dispatch.status").order_by("pk")
    assert [(e.data["status"], e.data["minutes_since_raised"]) for e in events] == [
        ("resource_assigned", 2.0),
        ("en_route", 3.0),
        ("on_scene", 9.0),
        ("cleared", 40.0),
    ]
    assert events[0].data["resource_kind"] == "response_car"
    assert events[0].division == "E"


def test_a_repeated_update_is_stored_once(incident, units, client_with_scope):
    first = report(incident, client_with_scope, "resource_assigned", "E21", update_id="u-1")
    again = report(incident, client_with_scope, "resource_assigned", "E21", update_id="u-1")
    assert first.created and not again.created
    assert again.update.pk == first.update.pk
    assert StatusUpdate.objects.count() == 1
    assert DomainEvent.objects.filter(name="dispatch.status").count() == 1
    assert len(timeline(incident, Visibility.INTERNAL)) == 2


def test_an_update_id_reused_for_something_else_is_refused(incident, units, client_with_scope):
    report(incident, client_with_scope, "resource_assigned", "E21", update_id="u-1")
    with pytest.raises(UpdateIdReused):
        report(incident, client_with_scope, "on_scene", "E21", update_id="u-1")


def test_a_second_unit_does_not_repeat_the_public_update(incident, units, client_with_scope):
    report(incident, client_with_scope, "resource_assigned", "E21")
    report(incident, client_with_scope, "resource_assigned", "E22")
    assert public_codes(incident).count(ASSIGNED_TEXT_CODE) == 1
    report(incident, client_with_scope, "cleared", "E21")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOURCE_ASSIGNED  # E22 is still on it


def test_on_scene_without_an_assignment_puts_the_unit_on(incident, units, client_with_scope):
    report(incident, client_with_scope, "on_scene", "E41")
    assert ResourceAssignment.objects.get().resource == units["E41"]
    assert public_codes(incident)[-2:] == [ASSIGNED_TEXT_CODE, ON_SCENE_TEXT_CODE]


def test_the_incident_never_moves_back(incident, units, client_with_scope):
    report(incident, client_with_scope, "on_scene", "E21")
    report(incident, client_with_scope, "resource_assigned", "E22")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ON_SCENE


def test_cleared_without_a_call_sign_clears_every_unit(incident, units, client_with_scope):
    report(incident, client_with_scope, "resource_assigned", "E21")
    report(incident, client_with_scope, "resource_assigned", "E22")
    report(incident, client_with_scope, "cleared")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLEARED
    assert not ResourceAssignment.objects.filter(cleared_at__isnull=True).exists()
    for call_sign in ("E21", "E22"):
        units[call_sign].refresh_from_db()
        assert units[call_sign].status == ResourceStatus.AVAILABLE


def test_a_cleared_incident_takes_no_more(incident, units, client_with_scope):
    report(incident, client_with_scope, "cleared")
    with pytest.raises(IncidentCleared):
        report(incident, client_with_scope, "on_scene", "E21")


def test_a_unit_is_on_one_incident_at_a_time(incident, units, client_with_scope, handler):
    other = raise_for(handler, narrative="A second fight.")
    report(incident, client_with_scope, "resource_assigned", "E21")
    with pytest.raises(ResourceBusy):
        report(other, client_with_scope, "resource_assigned", "E21")


def test_unknown_or_missing_units_are_refused(incident, units, client_with_scope):
    with pytest.raises(UnknownResource):
        report(incident, client_with_scope, "resource_assigned", "Z99")
    with pytest.raises(ResourceNeeded):
        report(incident, client_with_scope, "en_route", "")
    assert not StatusUpdate.objects.exists()


def test_command_and_control_may_give_its_incident_number(incident, units, client_with_scope):
    report(incident, client_with_scope, "resource_assigned", "E21", command_and_control_id="CC-7")
    incident.refresh_from_db()
    assert incident.command_and_control_id == "CC-7"
    assert incident.acknowledged_at is not None


def test_a_status_report_moves_a_failed_hand_off_on(incident, units, client_with_scope):
    type(incident).objects.filter(pk=incident.pk).update(status=IncidentStatus.FAILED)
    report(incident, client_with_scope, "resource_assigned", "E21")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOURCE_ASSIGNED


def test_who_may_report(incident, units, operator, handler):
    status = StatusReport(
        status="resource_assigned", call_sign="E21", update_id="x", at=timezone.now()
    )
    with pytest.raises(PermissionDenied):
        record_status(incident, status, source=CC, api_client=None)
    with pytest.raises(PermissionDenied):
        record_status(incident, status, source=UpdateSource.BOARD_OPERATOR, actor=handler)
    receipt = board_report(
        incident, status="resource_assigned", resource=units["E21"], update_id="b-1", actor=operator
    )
    assert receipt.update.author == operator
    assert receipt.update.source == UpdateSource.BOARD_OPERATOR
    assert timeline(incident, Visibility.INTERNAL)[-1] == "E21 assigned. (dispatch board)"
