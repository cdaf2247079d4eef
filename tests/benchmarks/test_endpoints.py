"""The benchmark endpoints: what each one writes, and that they are off unless CAIRN_BENCH=1.

cairn/urls.py mounts /bench/ at import time, so these tests reach the endpoints
through a urlconf of their own (tests/benchmarks/urls.py).
"""

import json
import os

import pytest
from django.db import connection
from django.test import Client, override_settings

from cairn.audit.models import AuditEvent, Operation
from cairn.benchmarks import views
from cairn.benchmarks.models import IntakeProbe, ReferenceRow
from cairn.events.models import DomainEvent
from tests.support import last_line_of_fresh_python

BENCH_URLCONF = "tests.benchmarks.urls"
GOOD = {"channel": "web", "narrative": "A car is parked across my driveway.", "postcode": "eh11yz"}


@pytest.fixture
def bench_client():
    with override_settings(ROOT_URLCONF=BENCH_URLCONF):
        yield Client()


def post(client: Client, path: str, body: object) -> object:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(path, data=data, content_type="application/json")


def counts() -> dict[str, int]:
    return {
        "reference": ReferenceRow.objects.count(),
        "probe": IntakeProbe.objects.count(),
        "event": DomainEvent.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def transaction_of(table: str, row_id: object) -> str:
    """The id of the transaction that inserted the row (PostgreSQL's xmin)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT xmin::text FROM {table} WHERE id = %s", [row_id])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_reference_inserts_exactly_one_row_and_nothing_else(bench_client):
    before = counts()
    response = post(bench_client, "/bench/reference", GOOD)
    assert response.status_code == 201
    row = ReferenceRow.objects.get(id=response.json()["id"])
    assert (row.channel, row.narrative, row.postcode) == (
        "web",
        GOOD["narrative"],
        "eh11yz",
    )
    assert counts() == {**before, "reference": before["reference"] + 1}


@pytest.mark.django_db(transaction=True)
def test_intake_writes_probe_event_and_audit_in_one_transaction(bench_client):
    response = post(bench_client, "/bench/intake", GOOD)
    assert response.status_code == 201
    probe = IntakeProbe.objects.get()
    assert response.json() == {"id": probe.id}
    assert (probe.channel, probe.postcode) == ("web", "EH1 1YZ")
    event = DomainEvent.objects.get()
    assert (event.name, event.subject_id) == ("bench.intake_probe.received", str(probe.id))
    assert GOOD["narrative"] not in json.dumps(event.data)  # no free text in the event log
    audit = AuditEvent.objects.get()
    assert (audit.operation, audit.object_id) == (Operation.COLLECTION, str(probe.id))
    assert audit.fields == ["channel", "narrative", "postcode"]
    assert ReferenceRow.objects.count() == 0
    inserted_by = {
        transaction_of("benchmarks_intakeprobe", probe.id),
        transaction_of("events_domainevent", event.id),
        transaction_of("audit_auditevent", audit.id),
    }
    assert len(inserted_by) == 1


@pytest.mark.django_db(transaction=True)
def test_intake_writes_nothing_when_a_write_in_its_transaction_fails(bench_client, monkeypatch):
    def failing_record(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(views, "record", failing_record)
    with pytest.raises(RuntimeError, match="audit store unavailable"):
        post(bench_client, "/bench/intake", GOOD)
    assert counts() == {"reference": 0, "probe": 0, "event": 0, "audit": 0}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[1, 2, 3]",
        '"a string"',
        {key: value for key, value in GOOD.items() if key != "postcode"},
        {**GOOD, "narrative": ""},
        {**GOOD, "narrative": "   "},
        {**GOOD, "narrative": "nul \x00 inside"},
        {**GOOD, "narrative": 42},
        {**GOOD, "channel": "carrier pigeon"},
        {**GOOD, "postcode": "not a postcode"},
        {**GOOD, "postcode": ["EH1 1YZ"]},
    ],
    ids=[
        "invalid-json",
        "array",
        "string",
        "missing-postcode",
        "empty-narrative",
        "blank-narrative",
        "nul-in-narrative",
        "number-narrative",
        "unknown-channel",
        "bad-postcode",
        "list-postcode",
    ],
)
def test_intake_refuses_bad_input_with_400_and_writes_nothing(bench_client, body):
    before = counts()
    response = post(bench_client, "/bench/intake", body)
    assert response.status_code == 400
    assert "errors" in response.json()
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body", ["{not json", "[]", b"\xff\xfe"], ids=["invalid-json", "array", "not-utf-8"]
)
def test_reference_refuses_a_body_that_is_not_a_json_object(bench_client, body):
    before = counts()
    response = post(bench_client, "/bench/reference", body)
    assert response.status_code == 400
    assert counts() == before


@pytest.mark.django_db
def test_floor_writes_what_the_api_writes_for_the_same_body(bench_client, client):
    """The floor sends the API's statement: the same contact, audit event and domain event."""
    from bench.api_intake import BODY
    from cairn.accounts.api_keys import issue_api_key
    from cairn.contacts.models import Contact

    response = post(bench_client, "/bench/intake-floor", BODY)
    assert response.status_code == 201
    floor = Contact.objects.get(pk=response.json()["id"])
    _client, key = issue_api_key("Bench integrator")
    with override_settings(ROOT_URLCONF="cairn.urls"):
        answer = client.post(
            "/api/v1/contacts",
            BODY,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
    assert answer.status_code == 201
    api = Contact.objects.get(reference=answer.json()["reference"])

    differing = {"id", "reference", "received_at", "created_at", "source", "tracking_secret_hash"}
    fields = [f.attname for f in Contact._meta.concrete_fields if f.attname not in differing]
    assert {name: getattr(floor, name) for name in fields} == {
        name: getattr(api, name) for name in fields
    }
    for contact in (floor, api):
        event = DomainEvent.objects.get(subject_type="contact", subject_id=str(contact.pk))
        audit = AuditEvent.objects.get(object_type="contact", object_id=str(contact.pk))
        assert (event.name, audit.operation) == ("contact.received", Operation.COLLECTION)
        assert transaction_of("contacts_contact", contact.pk) == transaction_of(
            "events_domainevent", event.pk
        )
    assert floor.source == "bench:floor"


@pytest.mark.django_db
def test_floor_refuses_a_body_that_is_not_a_json_object(bench_client):
    before = counts()
    assert post(bench_client, "/bench/intake-floor", "[]").status_code == 400
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/bench/reference", "/bench/intake", "/bench/intake-floor"])
def test_the_endpoints_answer_only_post(bench_client, path):
    assert bench_client.get(path).status_code == 405


@pytest.mark.django_db
def test_the_endpoints_are_absent_from_the_normal_urlconf(client, settings):
    assert settings.CAIRN_BENCH is False, "the test run must not have CAIRN_BENCH=1"
    before = counts()
    for path in ("/bench/reference", "/bench/intake", "/bench/intake-floor"):
        assert post(client, path, GOOD).status_code == 404
    assert counts() == before


RESOLVE_BENCH = """
import django
django.setup()
from django.urls import Resolver404, resolve
try:
    print(resolve("/bench/reference").view_name)
except Resolver404:
    print("absent")
"""


@pytest.mark.parametrize(
    ("flag", "expected"),
    [(None, "absent"), ("0", "absent"), ("yes-please", "absent"), ("1", "benchmarks:reference")],
)
def test_cairn_urls_mounts_the_endpoints_only_when_cairn_bench_is_1(flag, expected):
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "cairn.settings", "CAIRN_ENV": "test"}
    environment.pop("CAIRN_BENCH", None)
    if flag is not None:
        environment["CAIRN_BENCH"] = flag
    assert last_line_of_fresh_python(RESOLVE_BENCH, environment) == expected
