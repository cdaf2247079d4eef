"""Property tests: whatever a signed provider sends, no 5xx, and a refusal loses nothing.

Every example goes through Django's test client to the real view with a valid
signature, so it reaches the parser and the database, not just the signature
check. Rows accumulate across examples (the database is set up once per
test), so each refusal is checked against everything saved before it,
including an accepted delivery made first.
"""

import json
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cairn.contacts.models import Contact, InboundMessage
from tests.contacts.channels.conftest import multipart_email, post, recent

PROPERTY = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CONTENT_TYPES = {
    "email": "message/rfc822",
    "sms": "application/json",
    "web_chat": "application/json",
    "social": "application/json",
    "device": "application/json",
}
CHANNELS = list(CONTENT_TYPES)

# Any character at all, lone surrogates and NUL included.
anything = st.characters(exclude_categories=())
text = st.text(alphabet=anything, max_size=60)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(alphabet=anything, max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
zones = st.sampled_from([UTC, ZoneInfo("Europe/London"), timezone(timedelta(hours=-5))])
times = st.datetimes(
    min_value=datetime(1999, 6, 1),  # naive bounds: hypothesis attaches the zone
    max_value=datetime(2026, 11, 1),
    timezones=zones,
).map(datetime.isoformat)


def either(valid):
    """A field that is plausible nine times in ten, else anything JSON can carry."""
    return st.integers(0, 9).flatmap(lambda n: json_values if n == 0 else valid)


ids = either(st.text(min_size=1, max_size=24) | st.integers(min_value=0))
phones = either(st.sampled_from(["07700 900123", "+447700900456", "+353 85 123 4567"]) | text)
words = either(st.text(min_size=1, max_size=60) | text)

SHAPED = {
    "sms": st.fixed_dictionaries(
        {"message_id": ids, "from": phones, "text": words, "received_at": either(times)},
        optional={"to": phones},
    ),
    "social": st.fixed_dictionaries(
        {
            "platform": either(st.sampled_from(["x", "facebook", "instagram"])),
            "message_id": ids,
            "sender_handle": words,
            "text": words,
            "sent_at": either(times),
        }
    ),
    "device": st.fixed_dictionaries(
        {
            "alert_id": ids,
            "device_type": either(st.sampled_from(["personal_alarm", "safety_app"])),
            "latitude": either(st.floats(-95, 95)),
            "longitude": either(st.floats(-185, 185)),
            "accuracy_m": either(st.floats(-10, 200_000)),
            "triggered_at": either(times),
        },
        optional={"user_ref": words},
    ),
    "web_chat": st.fixed_dictionaries(
        {
            "chat_id": ids,
            "started_at": either(times),
            "messages": either(
                st.lists(
                    st.fixed_dictionaries(
                        {
                            "from": either(st.sampled_from(["visitor", "agent"])),
                            "at": either(times),
                            "text": words,
                        }
                    ),
                    max_size=4,
                )
            ),
        },
        optional={
            "visitor": either(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "name": words,
                        "email": either(st.just("sam@example.org") | words),
                    },
                )
            )
        },
    ),
}

header_values = st.sampled_from(
    [b"jo@example.org", b"Jo <jo@example.org>", b"=?utf-8?q?J=C3=B3?= <jo@example.org>"]
) | st.binary(max_size=40)
content_type_values = st.sampled_from(
    [
        b"text/plain; charset=utf-8",
        b"text/html; charset=iso-8859-1",
        b'multipart/mixed; boundary="b"',
        b"text/plain; charset=x-unknown",
    ]
) | st.binary(max_size=30)


# Built once: the email package picks MIME boundaries at random.
REAL_EMAILS = (multipart_email("<m1@a>"), multipart_email(""))


@st.composite
def emails(draw) -> bytes:
    """Raw messages with arbitrary headers and bodies, and damaged copies of a real one."""
    if draw(st.booleans()):
        original = bytearray(draw(st.sampled_from(REAL_EMAILS)))
        for _ in range(draw(st.integers(0, 6))):
            original[draw(st.integers(0, len(original) - 1))] = draw(st.integers(0, 255))
        return bytes(original[: draw(st.integers(0, len(original)))])
    lines = []
    for name, values in (
        (b"From", header_values),
        (b"Subject", st.binary(max_size=40)),
        (b"Message-ID", st.binary(max_size=40)),
        (b"Content-Type", content_type_values),
        (b"Content-Transfer-Encoding", st.sampled_from([b"base64", b"quoted-printable"])),
    ):
        if draw(st.booleans()):
            lines.append(name + b": " + draw(values))
    return b"\r\n".join(lines) + b"\r\n\r\n" + draw(st.binary(max_size=200))


def rows() -> dict[int, tuple]:
    return {
        row[0]: (row[1], row[2], row[3], row[4], bytes(row[5]))
        for row in InboundMessage.objects.values_list(
            "pk", "provider_message_id", "status", "contact_id", "error", "raw"
        )
    }


def contacts() -> list[tuple]:
    return list(
        Contact.objects.order_by("pk").values_list(
            "pk", "reference", "channel", "narrative", "reporter_phone", "answers"
        )
    )


@pytest.fixture
def seeded(db):
    """One accepted delivery saved before any property runs."""
    client = Client()
    message = {
        "message_id": "seed-1",
        "from": "07700 900123",
        "text": "The first, accepted message",
        "received_at": recent(),
    }
    assert post(client, "sms", message).status_code == 201
    return client


def deliver_and_check(client: Client, channel: str, raw: bytes, content_type: str) -> None:
    saved_contacts, saved_rows = contacts(), rows()
    response = post(client, channel, raw, content_type)
    event(f"status {response.status_code}")
    assert response.status_code < 500, response.content
    body = response.json()
    after = rows()
    assert all(after[pk] == row for pk, row in saved_rows.items()), "a saved row changed"
    if response.status_code >= 400:
        assert set(body) == {"error", "message", "details"}
        assert contacts() == saved_contacts
        new = [after[pk] for pk in after.keys() - saved_rows.keys()]
        assert all(status == "rejected" and contact is None for _, status, contact, *_ in new)
        return
    assert set(body) == {"reference"}
    expected = len(saved_contacts) + (1 if response.status_code == 201 else 0)
    assert Contact.objects.count() == expected
    retry = post(client, channel, raw, content_type)
    assert (retry.status_code, retry.json()) == (200, body)


@pytest.mark.parametrize("channel", CHANNELS)
@PROPERTY
@given(raw=st.binary(max_size=400), right_type=st.booleans())
def test_arbitrary_bytes_never_cause_a_5xx_or_a_loss(seeded, channel, raw, right_type):
    content_type = CONTENT_TYPES[channel] if right_type else "application/octet-stream"
    deliver_and_check(seeded, channel, raw, content_type)


@pytest.mark.parametrize("channel", CHANNELS)
@PROPERTY
@given(value=json_values)
def test_arbitrary_json_never_causes_a_5xx_or_a_loss(seeded, channel, value):
    deliver_and_check(seeded, channel, json.dumps(value).encode(), CONTENT_TYPES[channel])


@pytest.mark.parametrize("channel", list(SHAPED))
@PROPERTY
@given(data=st.data())
def test_nearly_valid_payloads_never_cause_a_5xx_or_a_loss(seeded, channel, data):
    payload = data.draw(SHAPED[channel])
    deliver_and_check(seeded, channel, json.dumps(payload).encode(), CONTENT_TYPES[channel])


@settings(PROPERTY, max_examples=80)
@given(raw=emails())
def test_arbitrary_emails_never_cause_a_5xx_or_a_loss(seeded, raw):
    deliver_and_check(seeded, "email", raw, "message/rfc822")
