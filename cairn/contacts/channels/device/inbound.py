"""An alert from a device (a personal alarm, a safety app) with a position and its accuracy.

::

    {"alert_id": "a-77120", "device_type": "personal_alarm", "latitude": 55.9533,
     "longitude": -3.1883, "accuracy_m": 12.5, "triggered_at": "2026-03-12T23:40:00Z",
     "user_ref": "PA-00412"}

The position goes to the contact's coordinates with its accuracy; the
narrative says what triggered and where, so the queue reads it at a glance.
``user_ref`` is the alarm provider's reference for the registered user.
"""

from cairn.contacts.channels.base import ParsedInbound
from cairn.contacts.channels.payload import clock, moment, number, read_json_object, slug, string
from cairn.contacts.models import Channel
from cairn.contacts.services import ContactSubmission

MAX_ACCURACY_M = 100_000.0  # a position known only to within 100 km is no position


def parse(raw: bytes, content_type: str) -> ParsedInbound:
    data = read_json_object(raw, content_type)
    alert_id = string(data, "alert_id", max_length=200, number_as_text=True)
    device_type = slug(data, "device_type")
    latitude = number(data, "latitude", low=-90, high=90)
    longitude = number(data, "longitude", low=-180, high=180)
    accuracy_m = number(data, "accuracy_m", low=0, high=MAX_ACCURACY_M)
    triggered_at = moment(data, "triggered_at")
    user_ref = string(data, "user_ref", max_length=200, required=False)
    narrative = (
        f"Alert from a {device_type.replace('_', ' ')} at {clock(triggered_at)}: "
        f"position {latitude:.6f}, {longitude:.6f}, accurate to {accuracy_m:g} m."
    )
    return ParsedInbound(
        provider_message_id=alert_id,
        submission=ContactSubmission(
            channel=Channel.DEVICE,
            narrative=narrative,
            reporter_details={"device_user_ref": user_ref} if user_ref else {},
            answers={"alert_id": alert_id, "device_type": device_type},
            latitude=latitude,
            longitude=longitude,
            location_accuracy_m=accuracy_m,
            received_at=triggered_at,
        ),
    )
