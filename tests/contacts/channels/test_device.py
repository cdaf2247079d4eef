"""Device alerts: a position with its accuracy into a contact."""

import json

import pytest

from cairn.contacts.channels.base import InboundRejected, Rejection
from cairn.contacts.channels.device.inbound import parse
from cairn.contacts.models import Contact
from tests.contacts.channels.conftest import post

ALERT = {
    "alert_id": "a-77120",
    "device_type": "personal_alarm",
    "latitude": 55.9533,
    "longitude": -3.1883,
    "accuracy_m": 12.5,
    "triggered_at": "2026-03-12T23:40:00Z",
    "user_ref": "PA-00412",
}


def parsed(payload: dict | bytes):
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return parse(raw, "application/json")


def test_the_position_and_its_accuracy_reach_the_contact(client, db):
    assert post(client, "device", ALERT).status_code == 201
    contact = Contact.objects.get()
    assert (contact.latitude, contact.longitude, contact.location_accuracy_m) == (
        55.9533,
        -3.1883,
        12.5,
    )
    assert contact.answers == {"alert_id": "a-77120", "device_type": "personal_alarm"}
    assert contact.reporter_details == {"device_user_ref": "PA-00412"}
    assert contact.narrative == (
        "Alert from a personal alarm at 23:40: position 55.953300, -3.188300, accurate to 12.5 m."
    )


def test_integer_coordinates_are_fine_and_user_ref_is_optional():
    result = parsed({**ALERT, "latitude": 56, "longitude": -4, "user_ref": None})
    assert result.submission.latitude == 56.0
    assert result.submission.reporter_details == {}
    assert result.reply_to == ""


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"latitude": 90.0001}, "latitude"),
        ({"latitude": -91}, "latitude"),
        ({"longitude": 180.5}, "longitude"),
        ({"longitude": "-3.1"}, "longitude"),
        ({"latitude": True}, "latitude"),
        ({"latitude": None}, "latitude"),
        ({"accuracy_m": -1}, "accuracy_m"),
        ({"accuracy_m": 10**400}, "accuracy_m"),
        ({"device_type": "Panic Button!"}, "device_type"),
        ({"alert_id": ""}, "alert_id"),
    ],
)
def test_out_of_range_or_mistyped_values_are_refused(change, field):
    with pytest.raises(InboundRejected) as caught:
        parsed({**ALERT, **change})
    assert caught.value.field == field


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
def test_non_finite_numbers_are_not_json(constant):
    raw = (
        json.dumps({**ALERT, "accuracy_m": 0})
        .encode()
        .replace(b'"accuracy_m": 0', b'"accuracy_m": ' + constant)
    )
    with pytest.raises(InboundRejected) as caught:
        parsed(raw)
    assert caught.value.kind == Rejection.MALFORMED


def test_deeply_nested_json_is_malformed_not_a_crash():
    with pytest.raises(InboundRejected) as caught:
        parsed(b"[" * 100_000 + b"]" * 100_000)
    assert caught.value.kind == Rejection.MALFORMED
