"""The webhook's contract, shown with SMS: created, retried, rejected, too big."""

import json
import threading

import httpx
import pytest

from cairn.audit.models import AuditEvent
from cairn.contacts.channels.receive import (
    MAX_BODY_BYTES,
    MAX_KEPT_REJECTED_BYTES,
    Outcome,
    receive_inbound,
)
from cairn.contacts.models import Contact, InboundMessage
from cairn.events.models import DomainEvent
from tests.contacts.channels.conftest import post, signed_headers


def test_a_delivery_becomes_a_contact_linked_to_its_raw_message(client, db, sms_payload):
    response = post(client, "sms", sms_payload)
    assert response.status_code == 201, response.content
    contact = Contact.objects.get()
    assert response.json() == {"reference": contact.reference}
    assert contact.channel == "sms"
    assert contact.source == "webhook:sms"
    assert contact.idempotency_key == "SM-0001"
    assert contact.reporter_phone == "+447700900123"
    assert contact.reporter_details == {"reply_to": "+447700900123"}
    message = contact.inbound_message
    assert message.status == "accepted"
    assert message.provider_message_id == "SM-0001"
    assert bytes(message.raw) == json.dumps(sms_payload).encode()


def test_keeping_the_raw_message_is_audited_by_field_name_only(client, db, sms_payload):
    post(client, "sms", sms_payload)
    audit = AuditEvent.objects.get(object_type="inbound_message")
    assert audit.fields == ["raw"]
    assert "07700" not in json.dumps(audit.context)


def test_a_provider_retry_returns_the_same_reference_and_writes_nothing(client, db, sms_payload):
    first = post(client, "sms", sms_payload)
    audit_rows, events = AuditEvent.objects.count(), DomainEvent.objects.count()
    second = post(client, "sms", sms_payload)
    assert second.status_code == 200
    assert second.json() == first.json()
    assert Contact.objects.count() == 1
    assert InboundMessage.objects.count() == 1
    assert (AuditEvent.objects.count(), DomainEvent.objects.count()) == (audit_rows, events)


def test_the_same_message_id_on_another_channel_is_another_contact(client, db, sms_payload):
    post(client, "sms", sms_payload)
    social = {
        "platform": "x",
        "message_id": "SM-0001",
        "sender_handle": "@someone",
        "text": "Hello",
        "sent_at": sms_payload["received_at"],
    }
    assert post(client, "social", social).status_code == 201
    assert Contact.objects.count() == 2


def test_an_unreadable_body_is_a_400_kept_as_rejected(client, db):
    response = post(client, "sms", b'{"message_id": "SM-1", "text": ', "application/json")
    assert response.status_code == 400
    assert response.json() == {
        "error": "malformed",
        "message": "The body could not be read.",
        "details": [{"field": "body", "message": "The body is not valid JSON."}],
    }
    message = InboundMessage.objects.get()
    assert message.status == "rejected"
    assert message.contact is None
    assert bytes(message.raw) == b'{"message_id": "SM-1", "text": '
    assert message.error == "body: The body is not valid JSON."
    assert not Contact.objects.exists()


def test_an_invalid_field_is_a_422_naming_it(client, db, sms_payload):
    response = post(client, "sms", {**sms_payload, "from": "not a number"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_error"
    assert body["details"] == [{"field": "from", "message": "This is not a phone number."}]
    assert InboundMessage.objects.get().status == "rejected"
    assert not Contact.objects.exists()


def test_intakes_own_rules_are_422_too(client, db, sms_payload):
    response = post(client, "sms", {**sms_payload, "text": "help\u0000me"})
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "text"
    assert not Contact.objects.exists()


def test_a_rejection_records_an_event_without_free_text(client, db, sms_payload):
    post(client, "sms", {**sms_payload, "from": "nope"})
    event = DomainEvent.objects.get(name="inbound.rejected")
    assert event.channel == "sms"
    assert event.data == {"reason": "invalid"}


def test_the_same_rejected_body_is_kept_once(client, db):
    for _ in range(3):
        assert post(client, "sms", b"[1, 2", "application/json").status_code == 400
    assert InboundMessage.objects.count() == 1


def test_a_corrected_delivery_with_a_rejected_message_id_is_accepted(client, db, sms_payload):
    assert post(client, "sms", {**sms_payload, "from": "nope"}).status_code == 422
    assert post(client, "sms", sms_payload).status_code == 201
    assert InboundMessage.objects.filter(status="accepted").count() == 1
    assert InboundMessage.objects.filter(status="rejected").count() == 1


def test_a_wrong_content_type_is_a_415(client, db, sms_payload):
    body = json.dumps(sms_payload).encode()
    response = post(client, "sms", body, "text/plain")
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"
    assert not Contact.objects.exists()


def test_a_charset_other_than_utf8_is_a_415(client, db, sms_payload):
    body = json.dumps(sms_payload).encode()
    assert post(client, "sms", body, "application/json; charset=latin-1").status_code == 415
    assert post(client, "sms", body, "application/json; charset=UTF-8").status_code == 201


def test_invalid_utf8_is_a_400(client, db):
    response = post(client, "sms", b'{"text": "caf\xe9"}', "application/json")
    assert response.status_code == 400
    assert response.json()["details"][0]["message"] == "The body is not valid UTF-8."


def test_nul_bytes_are_a_400(client, db):
    response = post(client, "sms", b'{"text": "a"}\x00', "application/json")
    assert response.status_code == 400
    assert response.json()["details"][0]["message"] == "The body contains NUL bytes."


def test_a_body_over_10_mib_is_a_413_and_not_kept(client, db):
    response = post(client, "sms", b" " * (MAX_BODY_BYTES + 1), "application/json")
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    assert not InboundMessage.objects.exists()


def test_the_service_checks_the_size_itself_whatever_the_caller_declared(db):
    raw = b" " * (MAX_BODY_BYTES + 1)
    result = receive_inbound("sms", None, raw, "application/json", signed_headers("sms", raw))
    assert result.outcome == Outcome.TOO_LARGE
    assert not InboundMessage.objects.exists()


def test_a_rejected_body_over_1_mib_is_answered_but_not_kept(client, db):
    body = b"[" + b" " * MAX_KEPT_REJECTED_BYTES + b"]"
    response = post(client, "sms", body, "application/json")
    assert response.status_code == 422
    assert not InboundMessage.objects.exists()


def test_an_unknown_channel_is_a_404(client, db):
    response = post(client, "pigeon", b"{}")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_only_post_is_allowed(client, db):
    response = client.get("/api/inbound/sms/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json()["error"] == "method_not_allowed"


def test_no_csrf_token_is_needed(db, sms_payload):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    raw = json.dumps(sms_payload).encode()
    response = strict.post(
        "/api/inbound/sms/",
        raw,
        content_type="application/json",
        headers=signed_headers("sms", raw),
    )
    assert response.status_code == 201


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_message_make_one_contact(live_server, sms_payload):
    raw = json.dumps(sms_payload).encode()
    results: list[httpx.Response] = []
    barrier = threading.Barrier(6)

    def deliver():
        barrier.wait()
        with httpx.Client(timeout=30) as http:
            results.append(
                http.post(
                    f"{live_server.url}/api/inbound/sms/",
                    content=raw,
                    headers={"Content-Type": "application/json", **signed_headers("sms", raw)},
                )
            )

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in results) == [200] * 5 + [201]
    assert len({r.json()["reference"] for r in results}) == 1
    assert Contact.objects.count() == 1
    assert InboundMessage.objects.count() == 1
