"""The audit table refuses DELETE, and UPDATE except setting the seal columns once."""

import pytest
from django.db import DatabaseError, connection, transaction

from cairn.audit.chain import seal_pending
from cairn.audit.context import acting_as
from cairn.audit.models import AuditEvent, Operation
from cairn.audit.services import record

pytestmark = pytest.mark.django_db

SEAL = "0" * 64, "a" * 64  # a prev_hash and a hash


def execute(sql: str, params=()) -> None:
    """Run one statement in a savepoint, so a refusal leaves the test's transaction usable."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def event(db) -> AuditEvent:
    with acting_as("command"):
        return record(Operation.CONSULTATION, object_type="person", object_id=7, fields=["name"])


def test_an_update_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"):
        execute("UPDATE audit_auditevent SET actor_username = 'someone' WHERE id = %s", [event.id])
    event.refresh_from_db()
    assert event.actor_username == ""


def test_a_delete_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"):
        execute("DELETE FROM audit_auditevent WHERE id = %s", [event.id])
    assert AuditEvent.objects.filter(id=event.id).exists()


def test_an_update_through_the_orm_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(id=event.id).update(object_id="8")


def test_a_delete_through_the_orm_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(id=event.id).delete()


def test_the_seal_columns_of_an_unsealed_row_may_be_set(event):
    execute(
        "UPDATE audit_auditevent SET seq = 1, prev_hash = %s, hash = %s WHERE id = %s",
        [*SEAL, event.id],
    )
    event.refresh_from_db()
    assert (event.seq, event.prev_hash, event.hash) == (1, *SEAL)


def test_a_second_seal_update_is_refused(event):
    seal_pending()
    with pytest.raises(DatabaseError, match="append-only"):
        execute("UPDATE audit_auditevent SET hash = %s WHERE id = %s", ["b" * 64, event.id])


def test_unsealing_a_sealed_row_is_refused(event):
    seal_pending()
    with pytest.raises(DatabaseError, match="append-only"):
        execute(
            "UPDATE audit_auditevent SET seq = NULL, prev_hash = NULL, hash = NULL WHERE id = %s",
            [event.id],
        )


def test_a_seal_update_that_also_changes_another_column_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"):
        execute(
            "UPDATE audit_auditevent SET seq = 1, prev_hash = %s, hash = %s, object_id = '8' "
            "WHERE id = %s",
            [*SEAL, event.id],
        )
    event.refresh_from_db()
    assert (event.seq, event.object_id) == (None, "7")


def test_a_seal_update_without_a_hash_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"):
        execute("UPDATE audit_auditevent SET seq = 1 WHERE id = %s", [event.id])
