"""POST /api/v1/calls/events: a telephony system reports call events."""

import json

import pytest

from cairn.api.urls import api
from cairn.contacts.models import Call, CallEvent

URL = "/api/v1/calls/events"

OFFERED = {
    "event_id": "evt-1",
    "call_id": "call-1",
    "kind": "offered",
    "line": "999",
    "queue": "edinburgh-999",
    "occurred_at": "2026-03-02T09:00:00Z",
    "caller_number": "0131 496 0123",
}
ANSWERED = {
    **OFFERED,
    "event_id": "evt-2",
    "kind": "answered",
    "occurred_at": "2026-03-02T09:00:08.5Z",
    "agent_ref": "agent-7",
}


def post(client, body, headers=None):
    return client.post(
        URL,
        json.dumps(body),
        content_type="application/json",
        **{f"HTTP_{k.upper()}": v for k, v in (headers or {}).items()},
    )


def test_a_new_event_is_201_with_the_call(client, api_headers):
    response = post(client, OFFERED, api_headers)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["event_id"], body["kind"], body["duplicate"]) == ("evt-1", "offered", False)
    assert body["call"]["call_id"] == "call-1"
    assert body["call"]["offered_at"].startswith("2026-03-02T09:00:00")
    assert "caller_number" not in body["call"]  # the number goes in, never back out
    assert Call.objects.get().caller_number == "+441314960123"


def test_the_same_event_again_is_200_and_marked_duplicate(client, api_headers):
    post(client, OFFERED, api_headers)
    response = post(client, OFFERED, api_headers)
    assert response.status_code == 200
    assert response.json()["duplicate"] is True
    assert CallEvent.objects.count() == 1


def test_the_answer_time_is_given_back(client, api_headers):
    post(client, OFFERED, api_headers)
    response = post(client, ANSWERED, api_headers)
    assert response.status_code == 201
    assert response.json()["call"]["seconds_to_answer"] == 8.5


def test_the_line_may_be_sent_as_a_number(client, api_headers):
    response = post(client, {**OFFERED, "line": 101}, api_headers)
    assert response.status_code == 201, response.content
    assert Call.objects.get().line == "101"


def test_without_a_key_the_api_answers_401(client, db):
    response = post(client, OFFERED)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorised"
    assert not CallEvent.objects.exists()


def test_a_wrong_key_is_refused(client, db):
    response = post(client, OFFERED, {"Authorization": "Bearer cairn_deadbeef_nope"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "rang"}, "kind"),
        ({"line": "112"}, "line"),
        ({"event_id": ""}, "event_id"),
        ({"occurred_at": "2026-03-02T09:00:00"}, "occurred_at"),  # no time zone
        ({"occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
        ({"caller_number": "not a number"}, "caller_number"),
        ({"queue": "a\x00b"}, None),
        ({"call_id": None}, "call_id"),
    ],
)
def test_an_invalid_event_is_a_structured_422_and_saves_nothing(client, api_headers, change, field):
    response = post(client, {**OFFERED, **change}, api_headers)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["error"] == "validation_error"
    assert body["message"]
    if field:
        assert field in [detail["field"] for detail in body["details"]]
    assert not CallEvent.objects.exists()


def test_answered_before_offered_is_a_409_naming_the_problem(client, api_headers):
    post(client, {**OFFERED, "occurred_at": "2026-03-02T09:01:00Z"}, api_headers)
    response = post(client, ANSWERED, api_headers)
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "impossible_sequence"
    assert "'answered' cannot happen before the call's 'offered' event" in body["message"]
    assert body["details"] == [{"field": "occurred_at", "message": body["message"]}]


def test_an_event_id_reused_for_another_event_is_a_409(client, api_headers):
    post(client, OFFERED, api_headers)
    response = post(client, {**ANSWERED, "event_id": "evt-1"}, api_headers)
    assert response.status_code == 409
    assert response.json()["error"] == "event_id_reused"


def test_every_answer_is_in_the_openapi_document():
    operation = api.get_openapi_schema()["paths"][URL]["post"]
    assert {200, 201, 401, 409, 422} <= set(operation["responses"])
    assert operation["security"]
