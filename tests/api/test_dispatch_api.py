"""POST /api/v1/dispatch/incidents/{incident_id}/status: command and control reports back."""

import pytest

from cairn.accounts.api_keys import issue_api_key
from cairn.accounts.roles import Role
from cairn.audit.context import acting_as
from cairn.audit.models import AuditEvent
from cairn.dispatch.models import IncidentStatus, Resource, ResourceKind, StatusUpdate
from cairn.dispatch.status import STATUS_SCOPE
from tests.conftest import make_staff
from tests.dispatch.conftest import raise_for

URL = "/api/v1/dispatch/incidents/{}/status"


@pytest.fixture
def incident(divisions):
    for call_sign in ("E21", "E22"):
        Resource.objects.create(call_sign=call_sign, division_id="E", kind=ResourceKind.VAN)
    return raise_for(make_staff("handler", Role.SERVICE_ADVISOR))


def headers_for(*scopes: str, name: str = "Command and control") -> dict:
    with acting_as("command"):
        _client, key = issue_api_key(name, scopes=scopes)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def cc_headers(db):
    return headers_for(STATUS_SCOPE)


def body(**changes) -> dict:
    return {
        "status": "resource_assigned",
        "call_sign": "E21",
        "at": "2026-03-14T21:10:00+00:00",
        "update_id": "cc-1",
        **changes,
    }


def post(client, incident_id, headers, **changes):
    return client.post(
        URL.format(incident_id), body(**changes), content_type="application/json", **headers
    )


def test_a_status_update_is_recorded(client, incident, cc_headers):
    response = post(client, incident.eido_id, cc_headers, command_and_control_id="CC-42")
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["duplicate"] is False
    assert answer["status"] == "resource_assigned"
    assert answer["incident"] == {
        "incident_id": incident.eido_id,
        "status": "resource_assigned",
        "command_and_control_id": "CC-42",
        "resources": ["E21"],
    }
    update = StatusUpdate.objects.get()
    assert update.api_client.name == "Command and control"
    audit = AuditEvent.objects.filter(object_type="dispatch_incident").last()
    assert audit.context["source"] == "command_and_control"


def test_the_contact_reference_names_the_incident_too(client, incident, cc_headers):
    response = post(client, incident.contact.reference, cc_headers)
    assert response.status_code == 201


def test_a_repeated_update_is_stored_once(client, incident, cc_headers):
    first = post(client, incident.eido_id, cc_headers)
    again = post(client, incident.eido_id, cc_headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["duplicate"] is True
    assert StatusUpdate.objects.count() == 1


def test_the_same_id_for_a_different_update_is_a_409(client, incident, cc_headers):
    post(client, incident.eido_id, cc_headers)
    response = post(client, incident.eido_id, cc_headers, status="on_scene")
    assert response.status_code == 409
    assert response.json()["error"] == "update_id_reused"


def test_a_key_without_the_scope_is_refused(client, incident):
    response = post(client, incident.eido_id, headers_for(name="Some integrator"))
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert not StatusUpdate.objects.exists()


def test_no_key_is_a_401(client, incident):
    response = post(client, incident.eido_id, {})
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorised"


def test_an_unknown_incident_is_a_404(client, incident, cc_headers):
    response = post(client, "urn:emergency:uid:incidentid:CRN-000000-00000:nowhere", cc_headers)
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_incident"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"status": "teleported"}, "status"),
        ({"at": "2026-03-14T21:10:00"}, "at"),
        ({"update_id": ""}, "update_id"),
        ({"status": None}, "status"),
    ],
)
def test_a_bad_body_is_a_422_naming_the_field(client, incident, cc_headers, changes, field):
    response = post(client, incident.eido_id, cc_headers, **changes)
    assert response.status_code == 422
    answer = response.json()
    assert answer["error"] == "validation_error"
    assert field in [detail["field"] for detail in answer["details"]]


def test_an_unknown_call_sign_is_a_422(client, incident, cc_headers):
    response = post(client, incident.eido_id, cc_headers, call_sign="Z99")
    assert response.status_code == 422
    assert response.json()["error"] == "unknown_resource"
    assert response.json()["details"][0]["field"] == "call_sign"


def test_a_cleared_incident_is_a_409(client, incident, cc_headers):
    assert (
        post(client, incident.eido_id, cc_headers, status="cleared", call_sign="").status_code
        == 201
    )
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLEARED
    response = post(client, incident.eido_id, cc_headers, update_id="cc-2", status="on_scene")
    assert response.status_code == 409
    assert response.json()["error"] == "incident_cleared"


def test_the_endpoint_is_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/v1/dispatch/incidents/{incident_id}/status" in paths
