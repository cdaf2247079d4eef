"""The domain event log: appended in the writer's transaction, never updated or deleted."""

from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, connection, transaction

from cairn.events.models import DomainEvent
from cairn.events.services import record_event


def execute(sql: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def domain_event(db) -> DomainEvent:
    with transaction.atomic():
        return record_event(
            "contact.received",
            subject_type="contact",
            subject_id=42,
            occurred_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
            division="N",
            channel="web",
            data={"category": "lost_property"},
        )


def test_record_event_inside_a_transaction_stores_the_event(domain_event):
    stored = DomainEvent.objects.get()
    assert (stored.name, stored.subject_type, stored.subject_id) == (
        "contact.received",
        "contact",
        "42",
    )
    assert stored.data == {"category": "lost_property"}
    assert stored.division == "N"


def test_an_update_of_a_domain_event_is_refused(domain_event):
    with pytest.raises(DatabaseError, match="append-only"):
        execute("UPDATE events_domainevent SET name = 'x' WHERE id = %s", [domain_event.id])


def test_a_delete_of_a_domain_event_is_refused(domain_event):
    with pytest.raises(DatabaseError, match="append-only"):
        execute("DELETE FROM events_domainevent WHERE id = %s", [domain_event.id])
    assert DomainEvent.objects.filter(id=domain_event.id).exists()


@pytest.mark.django_db(transaction=True)
def test_record_event_outside_a_transaction_raises():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        record_event("contact.received", subject_type="contact", subject_id=42)
    assert not DomainEvent.objects.exists()
