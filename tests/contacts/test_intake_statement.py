"""receive_contact writes the contact, its audit event and its domain event in one statement.

What the one-statement write must keep: all three rows or none, exactly once
per idempotency key (concurrent duplicates too), a contact object that is
saved as if by save(), no personal data in the events, and one query.
"""

import json
import threading

import pytest
from django.db import connection, models, transaction
from django.test.utils import CaptureQueriesContext, isolate_apps

from cairn.audit.context import acting_as
from cairn.audit.models import AuditEvent, Operation
from cairn.contacts.intake_statement import RowShape
from cairn.contacts.models import Contact, Reason
from cairn.contacts.services import ContactSubmission, receive_contact
from cairn.events.models import DomainEvent

NARRATIVE = "Two men were trying car door handles on Pilrig Street at 11pm."
SUBMISSION = ContactSubmission(
    channel="partner_app",
    narrative=NARRATIVE,
    category="crime.vehicle",
    reporter_name="Alex Morgan",
    reporter_email="alex.morgan@example.org",
    postcode="eh6 5ah",
    source="api:test",
)


def receive(submission: ContactSubmission = SUBMISSION, **changes):
    with acting_as("api"):
        return receive_contact(ContactSubmission(**{**submission.__dict__, **changes}))


def inserted_by(table: str, row_id: object) -> str:
    """The id of the transaction that inserted the row (PostgreSQL's xmin)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT xmin::text FROM {table} WHERE id = %s", [row_id])
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_three_rows_are_written_by_one_transaction():
    receipt = receive()
    audit = AuditEvent.objects.get(object_type="contact")
    event = DomainEvent.objects.get(name="contact.received")
    assert audit.object_id == event.subject_id == str(receipt.contact.pk)
    assert (
        inserted_by("contacts_contact", receipt.contact.pk)
        == inserted_by("audit_auditevent", audit.pk)
        == inserted_by("events_domainevent", event.pk)
    )


@pytest.mark.django_db(transaction=True)
def test_inside_a_callers_transaction_a_rollback_takes_all_three_rows():
    with transaction.atomic():
        receive()
        transaction.set_rollback(True)
    assert not Contact.objects.exists()
    assert not AuditEvent.objects.filter(object_type="contact").exists()
    assert not DomainEvent.objects.exists()


@pytest.mark.django_db
def test_the_contact_comes_back_saved_with_its_database_reference():
    receipt = receive()
    contact = receipt.contact
    assert receipt.created
    assert contact.reference.startswith("CRN-")
    assert Contact.objects.get(pk=contact.pk).reference == contact.reference
    assert contact.postcode == "EH6 5AH"
    assert contact.created_at is not None
    # A caller can go on with it as with any saved object (call taking does).
    contact.status = "in_assessment"
    contact.save(update_fields=["status"])
    assert Contact.objects.get(pk=contact.pk).status == "in_assessment"


@pytest.mark.django_db
def test_the_audit_event_names_fields_and_the_domain_event_carries_no_personal_data():
    receipt = receive()
    audit = AuditEvent.objects.get(object_type="contact")
    assert audit.operation == Operation.COLLECTION
    assert audit.channel == "api"
    assert {"narrative", "reporter_name", "reporter_email", "postcode"} <= set(audit.fields)
    event = DomainEvent.objects.get(subject_id=str(receipt.contact.pk))
    stored = json.dumps([event.data, audit.context, audit.fields])
    for personal in (NARRATIVE, "Alex Morgan", "alex.morgan@example.org", "EH6 5AH"):
        assert personal not in stored
    assert event.data == {
        "reason": Reason.NEW_MATTER,
        "category": "crime.vehicle",
        "anonymous": False,
        "language": "en",
        "follow_up_of": None,
    }


@pytest.mark.django_db
def test_a_follow_up_points_at_the_first_contact_in_the_contact_and_the_event():
    first = receive().contact
    follow_up = receive(related_reference=first.reference).contact
    assert follow_up.related_to_id == first.pk
    assert follow_up.reason == Reason.UPDATE
    event = DomainEvent.objects.get(subject_id=str(follow_up.pk))
    assert event.data["follow_up_of"] == first.pk


@pytest.mark.django_db
def test_the_same_key_again_returns_the_first_contact_and_writes_nothing():
    first = receive(idempotency_key="delivery-1")
    second = receive(idempotency_key="delivery-1", narrative="Something else entirely.")
    assert first.created and not second.created
    assert second.contact.pk == first.contact.pk
    assert not second.same_submission
    assert second.tracking_secret is None
    assert Contact.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="contact").count() == 1
    assert DomainEvent.objects.count() == 1


@pytest.mark.django_db
def test_the_same_submission_again_gets_the_first_tracking_secret():
    first = receive(idempotency_key="delivery-2")
    again = receive(idempotency_key="delivery-2")
    assert not again.created and again.same_submission
    assert again.tracking_secret == first.tracking_secret
    assert (again.reference, again.received_at) == (first.reference, first.received_at)


@pytest.mark.django_db
def test_the_contact_handed_back_is_the_row_in_the_database_field_for_field():
    receipt = receive(
        idempotency_key="delivery-3",
        latitude=55.97,
        longitude=-3.17,
        location_accuracy_m=12,
        answers={"what": ["car"], "when": "last night"},
        reporter_details={"age": "adult"},
    )
    stored = Contact.objects.get(pk=receipt.contact_id)
    for field in Contact._meta.concrete_fields:
        assert getattr(receipt.contact, field.attname) == getattr(stored, field.attname), field
    assert type(stored.location_accuracy_m) is float


@pytest.mark.parametrize("model", [Contact, AuditEvent, DomainEvent])
def test_the_statement_writes_every_column_the_database_does_not_make(model):
    written = {column.attname for column in RowShape.of(model).columns}
    made_by_database = {
        field.attname
        for field in model._meta.concrete_fields
        if field.primary_key or field.has_db_default()
    }
    every = {field.attname for field in model._meta.concrete_fields}
    assert written == every - made_by_database


@isolate_apps("cairn.contacts")
def test_a_field_type_intake_cannot_send_is_refused_when_the_shape_is_made():
    class Odd(models.Model):  # noqa: DJ008
        when = models.DurationField()

        class Meta:
            app_label = "contacts"

    with pytest.raises(TypeError, match="does not know how to send"):
        RowShape.of(Odd)


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_make_one_contact_one_audit_event_and_one_domain_event():
    receipts, errors = [], []
    barrier = threading.Barrier(6)

    def send():
        try:
            barrier.wait()
            receipts.append(receive(idempotency_key="same-every-time"))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(receipt.created for receipt in receipts) == [False] * 5 + [True]
    assert len({receipt.contact.pk for receipt in receipts}) == 1
    assert Contact.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="contact").count() == 1
    assert DomainEvent.objects.count() == 1


@pytest.mark.django_db
def test_one_query_per_contact_and_it_is_a_prepared_statement():
    receive()  # the first use on this connection prepares the statement
    with CaptureQueriesContext(connection) as queries:
        receive()
    assert len(queries) == 1, [query["sql"][:80] for query in queries]
    assert "WITH new_contact AS (INSERT INTO" in queries[0]["sql"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements"
            " WHERE statement LIKE 'WITH new_contact AS (INSERT INTO%%'"
        )
        assert cursor.fetchone()[0] >= 1


@pytest.mark.django_db
def test_invalid_input_writes_nothing_and_sends_no_query():
    with CaptureQueriesContext(connection) as queries, pytest.raises(Exception) as raised:
        receive(narrative="", postcode="NOT A POSTCODE")
    assert raised.type.__name__ == "ValidationError"
    assert len(queries) == 0
    assert not Contact.objects.exists()
