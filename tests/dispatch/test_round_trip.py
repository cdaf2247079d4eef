"""The second journey of issue 6: an Immediate contact goes to command and control as an EIDO
document that validates, and status updates from the (fake) command and control system, posted
back over real HTTP to the live server, land on the case timeline."""

import pytest

from cairn.cases.models import Visibility
from cairn.cases.queries import case_timeline, public_updates_for_contact
from cairn.dispatch.models import DispatchIncident, IncidentStatus
from tests.dispatch.conftest import raise_for, run_worker
from tests.dispatch.test_eido import schema_errors

pytestmark = pytest.mark.django_db(transaction=True)


def test_immediate_to_command_and_control_and_back_onto_the_timeline(
    live_server, handler, operator, units, command_and_control, status_key
):
    _client, key = status_key
    incident = raise_for(handler)
    run_worker()

    (document,) = command_and_control.documents
    assert schema_errors(document) == []
    assert document["incidentComponent"]["incidentPriorityInternalText"] == "immediate"
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ACKNOWLEDGED

    for status, call_sign in [
        ("resource_assigned", "E21"),
        ("en_route", "E21"),
        ("on_scene", "E21"),
        ("cleared", "E21"),
    ]:
        answer = command_and_control.report(
            live_server.url, key, incident.eido_id, status, call_sign
        )
        assert answer.status_code == 201, answer.text

    incident = DispatchIncident.objects.get(pk=incident.pk)
    assert incident.status == IncidentStatus.CLEARED
    staff_view = [
        entry.text
        for entry in case_timeline(incident.case, user=operator)
        if entry.kind == "dispatch" and entry.visibility == Visibility.INTERNAL
    ]
    assert staff_view[-4:] == [
        "E21 assigned. (command and control)",
        "E21 en route. (command and control)",
        "E21 on scene. (command and control)",
        "E21 cleared. Incident cleared. (command and control)",
    ]
    the_person_reads = [update.text for update in public_updates_for_contact(incident.contact)]
    assert the_person_reads[-3:] == [
        "We have passed your report to officers to attend.",
        "Officers have been given your report and are on their way.",
        "Officers have arrived.",
    ]
