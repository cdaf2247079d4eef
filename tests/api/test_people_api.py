"""The people API: scoped keys, a purpose on every read, one audit row per read."""

import json

import pytest

from cairn.accounts.api_keys import issue_api_key
from cairn.audit.context import acting_as
from cairn.audit.models import AuditEvent, Operation
from cairn.people.markers import add_marker
from cairn.people.services import record_person
from tests.people.conftest import handler  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    with acting_as("command"):
        client, key = issue_api_key("Force RMS", scopes=("people.read",))
    return client, {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def person(handler):  # noqa: F811
    person = record_person(
        given_name="Morag",
        family_name="MacLeod",
        date_of_birth="1979-05-14",
        phones=("07700 900123",),
        actor=handler,
    )
    add_marker(person, kind="older_person", source="Call", actor=handler)
    add_marker(person, kind="domestic_abuse_victim", source="MARAC", actor=handler)
    return person


def test_reading_a_person_needs_the_scope(client, person, api_headers):
    response = client.get(
        f"/api/v1/people/{person.pk}", HTTP_X_PURPOSE="check", **_as_meta(api_headers)
    )
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def _as_meta(headers):
    return {f"HTTP_{k.upper()}": v for k, v in headers.items()}


def test_a_read_needs_a_purpose(client, person, reader):
    response = client.get(f"/api/v1/people/{person.pk}", **reader[1])
    assert response.status_code == 400
    assert response.json()["error"] == "purpose_required"


def test_a_read_returns_the_record_with_restricted_markers_withheld(client, person, reader):
    response = client.get(
        f"/api/v1/people/{person.pk}", HTTP_X_PURPOSE="Incident 123 enquiry", **reader[1]
    )
    assert response.status_code == 200
    body = response.json()
    assert body["family_name"] == "MacLeod"
    assert body["identifiers"] == [{"kind": "phone", "value": "+447700900123"}]
    assert {"kind": None, "restricted": True, "review_on": None} in body["markers"]
    assert any(m["kind"] == "older_person" for m in body["markers"])
    audit = AuditEvent.objects.get(
        operation=Operation.CONSULTATION, object_type="person", object_id=str(person.pk)
    )
    assert audit.purpose == "Incident 123 enquiry"
    assert audit.context["api_client"] == reader[0].pk
    assert audit.channel == "api"


def test_an_unknown_person_is_404(client, reader, db):
    response = client.get("/api/v1/people/999999", HTTP_X_PURPOSE="check", **reader[1])
    assert response.status_code == 404


def test_match_finds_the_person_and_audits_one_search(client, person, reader):
    response = client.post(
        "/api/v1/people/match",
        json.dumps({"purpose": "caller check", "name": "Morag MacLeod", "phone": "07700900123"}),
        content_type="application/json",
        **reader[1],
    )
    assert response.status_code == 200
    assert response.json()["linked"]["person_id"] == person.pk
    assert "same phone number" in response.json()["linked"]["reasons"]
    assert (
        AuditEvent.objects.filter(
            object_type="person_search", context__api_client=reader[0].pk
        ).count()
        == 1
    )


def test_match_with_too_little_is_a_structured_422(client, reader, db):
    response = client.post(
        "/api/v1/people/match",
        json.dumps({"purpose": "caller check", "name": "John Smith"}),
        content_type="application/json",
        **reader[1],
    )
    assert response.status_code == 422
    assert response.json()["error"] == "not_enough_to_match"
