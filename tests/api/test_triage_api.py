"""POST /api/v1/triage/suggest: the suggestion for a contact-like payload, saving nothing."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cairn.triage.policy import current_policy

URL = "/api/v1/triage/suggest"


def post(client, body, headers=None):
    return client.post(
        URL,
        json.dumps(body),
        content_type="application/json",
        **{f"HTTP_{k.upper()}": v for k, v in (headers or {}).items()},
    )


def test_without_a_key_the_api_answers_401(client, db):
    response = post(client, {"channel": "web_form", "narrative": "hello"})
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorised"


def test_a_wrong_key_is_refused(client, db):
    response = post(client, {"channel": "web_form"}, {"Authorization": "Bearer cairn_nope"})
    assert response.status_code == 401


def test_the_suggestion_has_codes_labels_cues_explanation_and_policy_version(client, api_headers):
    response = post(
        client,
        {
            "channel": "phone_999",
            "language": "en",
            "category": "crime.assault",
            "narrative": "There is a man with a knife outside, he is still here",
        },
        api_headers,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["grade"] == {"code": "immediate", "label": "Immediate"}
    assert body["pathway"] == {"code": "dynamic_response", "label": "Dynamic response"}
    assert body["cues"] == [
        {"kind": "weapon", "label": "Weapon mentioned", "source": "narrative", "evidence": "knife"},
        {
            "kind": "ongoing",
            "label": "Happening now",
            "source": "narrative",
            "evidence": "still here",
        },
    ]
    assert body["explanation"].startswith("Immediate because a weapon is mentioned")
    assert body["rule"] == "weapon_and_ongoing"
    assert body["policy_version"] == current_policy().digest
    assert body["policy_name"] == current_policy().name


def test_thrive_levels_and_answers_are_used(client, api_headers):
    response = post(
        client,
        {
            "channel": "web_form",
            "category": "road_traffic",
            "narrative": "Cars on the pavement",
            "answers": {"road_matter": "parking"},
            "thrive": {"threat": "high", "risk": "high"},
        },
        api_headers,
    )
    assert response.status_code == 200, response.content
    assert response.json()["grade"]["code"] == "immediate"
    assert "Threat is assessed as high" in response.json()["explanation"]


def test_distress_in_polish_suggests_a_distress_brief_intervention(client, api_headers):
    response = post(
        client,
        {"channel": "web_chat", "language": "pl", "narrative": "Nie radzę sobie już z niczym."},
        api_headers,
    )
    body = response.json()
    assert (body["grade"]["code"], body["pathway"]["code"]) == (
        "other_resolution",
        "partner_referral",
    )
    assert body["cues"][0]["evidence"] == "Nie radzę sobie"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"language": "fr"}, "language"),
        ({"category": "crime.nonsense"}, "category"),
        ({"thrive": {"mood": "high"}}, "thrive.mood"),
        ({"thrive": {"threat": "extreme"}}, "thrive.threat"),
        ({"narrative": "x" * 20_001}, "narrative"),
    ],
)
def test_invalid_payloads_get_a_422_naming_the_field(client, api_headers, change, field):
    body = {"channel": "web_form", "narrative": "hello", **change}
    response = post(client, body, api_headers)
    assert response.status_code == 422, response.content
    problem = response.json()
    assert problem["error"] == "validation_error"
    assert field in [detail["field"] for detail in problem["details"]]


def test_several_bad_codes_are_all_reported(client, api_headers):
    body = {"channel": "web_form", "language": "fr", "category": "x", "thrive": {"risk": "max"}}
    response = post(client, body, api_headers)
    assert {d["field"] for d in response.json()["details"]} == {
        "language",
        "category",
        "thrive.risk",
    }


def test_a_suggestion_writes_nothing(client, api_headers):
    body = {
        "channel": "web_form",
        "category": "crime.theft",
        "narrative": "My bike was stolen again, I can't cope",
    }
    post(client, body, api_headers)  # the API key is looked up (and cached) once
    with CaptureQueriesContext(connection) as queries:
        response = post(client, body, api_headers)
    assert response.status_code == 200
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
