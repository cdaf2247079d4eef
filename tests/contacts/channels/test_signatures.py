"""Only a provider holding the channel's secret can deliver, and only for five minutes."""

import json
import time

import pytest
from django.core.exceptions import ImproperlyConfigured

from cairn.contacts.channels.signatures import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
    signature_problem,
    webhook_secret,
)
from cairn.contacts.models import Contact, InboundMessage
from tests.contacts.channels.conftest import post, signed_headers


def assert_refused_and_nothing_kept(response):
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorised"
    assert not Contact.objects.exists()
    assert not InboundMessage.objects.exists()


def test_without_signature_headers_a_delivery_is_refused(client, db, sms_payload):
    assert_refused_and_nothing_kept(post(client, "sms", sms_payload, headers={}))


def test_a_wrong_signature_is_refused(client, db, sms_payload):
    headers = {TIMESTAMP_HEADER: str(int(time.time())), SIGNATURE_HEADER: "sha256=" + "0" * 64}
    assert_refused_and_nothing_kept(post(client, "sms", sms_payload, headers=headers))


def test_a_signature_for_another_body_is_refused(client, db, sms_payload):
    headers = signed_headers("sms", b"{}")
    assert_refused_and_nothing_kept(post(client, "sms", sms_payload, headers=headers))


def test_a_signature_made_with_another_channels_secret_is_refused(client, db, sms_payload):
    headers = signed_headers("email", json.dumps(sms_payload).encode())
    assert_refused_and_nothing_kept(post(client, "sms", sms_payload, headers=headers))


@pytest.mark.parametrize("age", [360, -360, 86_400])  # clear of the 300 s edge
def test_a_stale_or_future_timestamp_is_refused(client, db, sms_payload, age):
    raw = json.dumps(sms_payload).encode()
    headers = signed_headers("sms", raw, timestamp=int(time.time()) - age)
    assert_refused_and_nothing_kept(post(client, "sms", raw, headers=headers))


def test_a_malformed_timestamp_is_refused(client, db, sms_payload):
    raw = json.dumps(sms_payload).encode()
    headers = signed_headers("sms", raw)
    headers[TIMESTAMP_HEADER] = "12.5e3"
    assert_refused_and_nothing_kept(post(client, "sms", raw, headers=headers))


def test_an_unsigned_body_is_not_kept_even_when_malformed(client, db):
    assert_refused_and_nothing_kept(post(client, "sms", b"\x00\xff", headers={}))


def test_the_signature_covers_the_timestamp_and_the_body():
    assert signature_problem("sms", b"{}", {}, now=1000) == "missing signature headers"
    headers = {TIMESTAMP_HEADER: "1000", SIGNATURE_HEADER: sign("sms", b"{}", 1000)}
    assert signature_problem("sms", b"{}", headers, now=1299) == ""
    assert signature_problem("sms", b"{} ", headers, now=1299) == "signature does not match"
    assert "five minutes" in signature_problem("sms", b"{}", headers, now=1301)
    lower = {name.lower(): value for name, value in headers.items()}
    assert signature_problem("sms", b"{}", lower, now=1000) == ""


def test_a_non_ascii_signature_header_is_refused_not_a_crash():
    headers = {TIMESTAMP_HEADER: "1000", SIGNATURE_HEADER: "sha256=é\udcff"}
    assert signature_problem("sms", b"{}", headers, now=1000) == "signature does not match"


def test_the_secret_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("CAIRN_WEBHOOK_SECRET_WEB_CHAT", "s3cret")
    assert webhook_secret("web_chat") == b"s3cret"
    monkeypatch.delenv("CAIRN_WEBHOOK_SECRET_WEB_CHAT")
    assert webhook_secret("web_chat") == b"cairn-development-webhook-secret-web_chat"


def test_production_refuses_a_missing_or_short_secret(monkeypatch, settings):
    settings.PRODUCTION = True
    monkeypatch.delenv("CAIRN_WEBHOOK_SECRET_SMS", raising=False)
    with pytest.raises(ImproperlyConfigured, match="CAIRN_WEBHOOK_SECRET_SMS"):
        webhook_secret("sms")
    monkeypatch.setenv("CAIRN_WEBHOOK_SECRET_SMS", "short")
    with pytest.raises(ImproperlyConfigured):
        webhook_secret("sms")
    monkeypatch.setenv("CAIRN_WEBHOOK_SECRET_SMS", "x" * 32)
    assert webhook_secret("sms") == b"x" * 32


def test_the_worked_example_in_the_recipe_is_right(monkeypatch):
    monkeypatch.delenv("CAIRN_WEBHOOK_SECRET_SMS", raising=False)
    body = (
        b'{"message_id":"SM-0001","from":"07700 900123","to":"+447800000101",'
        b'"text":"There is a man trying car doors on Easter Road",'
        b'"received_at":"2026-03-12T21:04:11Z"}'
    )
    assert sign("sms", body, 1773349451) == (
        "sha256=8bb017ba721ac53d4d9971ce3cb2107e9cca96bc4ac05f229a62735dfa56af8d"
    )
