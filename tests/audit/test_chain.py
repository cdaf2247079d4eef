"""The hash chain: sealing, and `audit_verify` finding rows edited or removed behind the trigger."""

import contextlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from cairn.audit.chain import SEALED_COLUMNS, row_digest, seal_pending
from cairn.audit.context import acting_as
from cairn.audit.models import AuditEvent, Operation
from cairn.audit.services import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def sealed_log(db) -> list[AuditEvent]:
    """Three audit events, sealed as seq 1, 2 and 3."""
    with acting_as("command"):
        for person in (1, 2, 3):
            record(Operation.CONSULTATION, object_type="person", object_id=person, fields=["name"])
    seal_pending()
    return list(AuditEvent.objects.order_by("seq"))


@contextlib.contextmanager
def guard_switched_off():
    """Tamper as the database superuser would: with the append-only trigger disabled."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


def verify() -> tuple[str, str]:
    """Run audit_verify; return (stdout, stderr). Raises CommandError on a broken chain."""
    out, err = io.StringIO(), io.StringIO()
    call_command("audit_verify", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def verify_failure() -> str:
    err = io.StringIO()
    with pytest.raises(CommandError, match="hash chain is broken"):
        call_command("audit_verify", stdout=io.StringIO(), stderr=err)
    return err.getvalue()


def test_sealing_numbers_the_rows_in_order(sealed_log):
    assert [event.seq for event in sealed_log] == [1, 2, 3]
    assert [event.object_id for event in sealed_log] == ["1", "2", "3"]


def test_each_sealed_row_links_to_the_one_before(sealed_log):
    assert sealed_log[0].prev_hash == "0" * 64
    assert [event.prev_hash for event in sealed_log[1:]] == [e.hash for e in sealed_log[:-1]]


def test_sealing_again_seals_nothing_new(sealed_log):
    assert seal_pending() == 0


def test_audit_verify_passes_on_an_intact_chain(sealed_log):
    out, err = verify()
    assert "verified 3 sealed audit events; 0 not yet sealed" in out
    assert "intact" in out
    assert err == ""


def test_audit_verify_reports_rows_not_yet_sealed(sealed_log):
    with acting_as("command"):
        record(Operation.CONSULTATION, object_type="person", object_id=4)
    out, _err = verify()
    assert "verified 3 sealed audit events; 1 not yet sealed" in out


def test_a_later_seal_continues_the_chain(sealed_log):
    with acting_as("command"):
        record(Operation.CONSULTATION, object_type="person", object_id=4)
    assert seal_pending() == 1
    fourth = AuditEvent.objects.get(seq=4)
    assert fourth.prev_hash == sealed_log[-1].hash
    out, _err = verify()
    assert "verified 4 sealed audit events" in out


def test_audit_verify_names_an_edited_row(sealed_log):
    edited = sealed_log[1]
    with guard_switched_off() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET actor_username = 'nobody' WHERE id = %s", [edited.id]
        )
    problems = verify_failure()
    assert f"seq 2 (id {edited.id}): contents changed since sealing" in problems


def test_audit_verify_catches_an_edit_to_the_json_context(sealed_log):
    edited = sealed_log[0]
    with guard_switched_off() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET context = %s WHERE id = %s",
            [json.dumps({"results": 0}), edited.id],
        )
    assert f"seq 1 (id {edited.id}): contents changed" in verify_failure()


def test_audit_verify_catches_an_edited_row_whose_hash_was_recomputed(sealed_log):
    edited = sealed_log[1]
    with guard_switched_off() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_id = '99' WHERE id = %s", [edited.id])
        row = AuditEvent.objects.filter(id=edited.id).values(*SEALED_COLUMNS, "prev_hash").get()
        cursor.execute(
            "UPDATE audit_auditevent SET hash = %s WHERE id = %s",
            [row_digest(row, row["prev_hash"]), edited.id],
        )
    problems = verify_failure()
    assert f"seq 3 (id {sealed_log[2].id}): link to the previous row broken" in problems


def test_audit_verify_catches_a_deleted_row(sealed_log):
    with guard_switched_off() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [sealed_log[1].id])
    problems = verify_failure()
    assert f"rows missing: expected seq 2, found 3 (id {sealed_log[2].id})" in problems
