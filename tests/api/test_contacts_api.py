import json
import threading

import httpx
import pytest
from django.db import connection

from cairn.accounts.api_keys import issue_api_key
from cairn.audit.models import AuditEvent
from cairn.contacts.models import Contact, Status
from cairn.contacts.tracking import normalise_secret, secret_matches
from cairn.events.models import DomainEvent

REPORT = {
    "channel": "partner_app",
    "narrative": "Someone smashed the window of my car on Leith Walk last night.",
    "category": "crime.criminal_damage",
    "reporter": {"name": "Jo Bloggs", "email": "jo@example.org"},
    "location": {"address": "Leith Walk, Edinburgh", "postcode": "eh6 8ry"},
}


def post(client, body, headers, key=None):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        "/api/v1/contacts",
        json.dumps(body),
        content_type="application/json",
        **{f"HTTP_{k.upper()}": v for k, v in headers.items()},
        **extra,
    )


def test_a_contact_is_saved_with_a_database_reference(client, api_headers):
    response = post(client, REPORT, api_headers)
    assert response.status_code == 201, response.content
    body = response.json()
    contact = Contact.objects.get()
    assert body["reference"] == contact.reference
    assert contact.reference.startswith("CRN-")
    assert contact.postcode == "EH6 8RY"
    assert contact.source.startswith("api:")
    assert len(body["tracking_secret"].replace("-", "")) == 26


def test_intake_writes_one_audit_event_and_one_domain_event(client, api_headers):
    post(client, REPORT, api_headers)
    contact = Contact.objects.get()
    assert (
        DomainEvent.objects.filter(name="contact.received", subject_id=str(contact.pk)).count() == 1
    )
    audit = AuditEvent.objects.get(operation="collection", object_type="contact")
    assert "reporter_name" in audit.fields
    assert "Jo Bloggs" not in json.dumps(audit.context)  # names of fields, never values


def test_without_a_key_the_api_answers_401_with_a_structured_error(client, db):
    response = client.post("/api/v1/contacts", json.dumps(REPORT), content_type="application/json")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorised"
    assert not Contact.objects.exists()


def test_a_wrong_key_is_refused(client, db):
    response = post(client, REPORT, {"Authorization": "Bearer cairn_deadbeef_nope"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"narrative": ""}, "narrative"),
        ({"location": {"postcode": "NOT A PC"}}, "location.postcode"),
        ({"anonymous": True}, "anonymous"),
        ({"location": {"latitude": 95, "longitude": 0}}, "location.latitude"),
        ({"narrative": "a\x00b"}, None),
        ({"channel": "carrier_pigeon"}, "channel"),
    ],
)
def test_invalid_contacts_get_a_422_naming_the_field_and_save_nothing(
    client, api_headers, change, field
):
    response = post(client, {**REPORT, **change}, api_headers)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["error"] == "validation_error"
    if field:
        assert field in [detail["field"] for detail in body["details"]]
    assert not Contact.objects.exists()


def test_a_replay_with_the_same_key_returns_the_first_response(client, api_headers):
    first = post(client, REPORT, api_headers, key="order-123")
    second = post(client, REPORT, api_headers, key="order-123")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Contact.objects.count() == 1


def test_the_same_key_with_a_different_body_is_a_422(client, api_headers):
    post(client, REPORT, api_headers, key="order-123")
    response = post(client, {**REPORT, "narrative": "Something else"}, api_headers, key="order-123")
    assert response.status_code == 422
    assert response.json()["error"] == "idempotency_key_reused"
    assert Contact.objects.count() == 1


def test_a_rejected_request_does_not_burn_its_key(client, api_headers):
    bad = post(client, {**REPORT, "narrative": ""}, api_headers, key="k1")
    assert bad.status_code == 422
    assert not Contact.objects.exists()
    good = post(client, REPORT, api_headers, key="k1")
    assert good.status_code == 201


def test_a_replay_gives_the_first_tracking_secret_which_is_stored_nowhere(client, api_headers):
    first = post(client, REPORT, api_headers, key="order-9").json()
    contact = Contact.objects.get()
    contact.status = Status.ASSESSED  # whatever happens to it since
    contact.save(update_fields=["status"])
    replay = post(client, REPORT, api_headers, key="order-9").json()
    assert replay == first
    assert replay["status"] == "received"
    assert secret_matches(first["tracking_secret"], contact.tracking_secret_hash)
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(c)::text FROM contacts_contact AS c")
        (stored,) = cursor.fetchone()
    assert first["tracking_secret"] not in stored
    assert normalise_secret(first["tracking_secret"]) not in stored


def test_the_same_key_from_two_clients_makes_two_contacts_with_different_secrets(
    client, api_headers
):
    _other, other_key = issue_api_key("Another integrator")
    ours = post(client, REPORT, api_headers, key="shared-key").json()
    theirs = post(client, REPORT, {"Authorization": f"Bearer {other_key}"}, key="shared-key")
    assert theirs.status_code == 201
    assert theirs.json()["reference"] != ours["reference"]
    assert theirs.json()["tracking_secret"] != ours["tracking_secret"]
    assert Contact.objects.count() == 2


def test_contacts_without_a_key_get_secrets_that_differ(client, api_headers):
    secrets = {post(client, REPORT, api_headers).json()["tracking_secret"] for _ in range(3)}
    assert len(secrets) == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_over_http_make_one_contact(live_server, integrator):
    _client, key = integrator
    results: list[httpx.Response] = []
    barrier = threading.Barrier(8)

    def send():
        barrier.wait()
        with httpx.Client(timeout=30) as http:
            results.append(
                http.post(
                    f"{live_server.url}/api/v1/contacts",
                    json=REPORT,
                    headers={
                        "Authorization": f"Bearer {key}",
                        "Idempotency-Key": "same-every-time",
                    },
                )
            )

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in results] == [201] * 8
    assert len({r.json()["reference"] for r in results}) == 1
    assert Contact.objects.count() == 1
    assert DomainEvent.objects.filter(name="contact.received").count() == 1


def test_references_keep_growing_past_99999_instead_of_repeating(client, api_headers):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT setval('contacts_reference_seq', 99999)")
    first = post(client, REPORT, api_headers).json()["reference"]
    second = post(client, REPORT, api_headers).json()["reference"]
    assert first.endswith("-100000") and second.endswith("-100001")
