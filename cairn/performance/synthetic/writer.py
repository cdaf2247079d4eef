"""Writing the drawn history: COPY in one transaction per batch, from two writer threads."""

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

from cairn.performance.synthetic.history import Batch, Generator
from cairn.performance.synthetic.shapes import DIVISIONS, Plan

CONTACT_COLUMNS = (
    "id, reference, channel, received_at, language, reason, category, status, anonymous, "
    "reporter_name, reporter_email, reporter_phone, reporter_details, preferred_contact, answers, "
    "narrative, address_text, postcode, latitude, longitude, location_accuracy_m, "
    "idempotency_key, tracking_secret_hash, source, created_at, division_id, related_to_id, "
    "call_id, submission_digest"
)
CALL_COLUMNS = (
    "id, external_id, line, queue, caller_number, offered_at, answered_at, transferred_at, "
    "ended_at, abandoned, agent_ref, created_at, agent_id"
)
# No txid: its default records the writing transaction, which the rollups read.
EVENT_COLUMNS = "name, occurred_at, recorded_at, subject_type, subject_id, division, channel, data"
CHUNK = 2000  # lines per write to the COPY stream


def _copy(cursor, table: str, columns: str, lines: list[str]) -> None:
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for start in range(0, len(lines), CHUNK):
            copy.write("".join(lines[start : start + CHUNK]))


@dataclass(frozen=True)
class Written:
    contacts: int
    calls: int
    events: int


def generate(
    plan: Plan,
    *,
    batch_size: int = 25000,
    writers: int = 2,
    progress: Callable[[int], None] | None = None,
) -> Written:
    """Write the plan's history, one transaction per batch of days; ``progress(contacts)``.

    This thread draws the batches in order (so a seed gives the same rows) while
    ``writers`` threads, each with its own connection, COPY them: the database
    server, not Python, is the slower side, and two of its backends use two cores.
    """
    from cairn.places.models import Division
    from cairn.places.services import load_divisions

    if Division.objects.filter(code__in=DIVISIONS).count() < len(DIVISIONS):
        load_divisions()
    batches: queue.Queue[Batch | None] = queue.Queue(maxsize=writers + 1)
    totals = Written(0, 0, 0)
    failures: list[BaseException] = []
    lock = threading.Lock()

    def write() -> None:
        nonlocal totals
        try:
            while (batch := batches.get()) is not None:
                if not failures:
                    _write(batch)
                    with lock:
                        totals = Written(
                            totals.contacts + batch.contacts,
                            totals.calls + len(batch.calls),
                            totals.events + len(batch.events),
                        )
                        if progress:
                            progress(batch.contacts)
        except BaseException as error:  # handed to the drawing thread, which raises it
            failures.append(error)
            while batches.get() is not None:  # let the drawing thread finish
                pass
        finally:
            connection.close()

    threads = [threading.Thread(target=write, name=f"demand-{n}") for n in range(writers)]
    for thread in threads:
        thread.start()
    try:
        for batch in Generator(plan).batches(batch_size):
            if failures:
                break
            batches.put(batch)
    finally:
        for _ in threads:
            batches.put(None)
        for thread in threads:
            thread.join()
    if failures:
        raise failures[0]
    return totals


def _write(batch: Batch) -> None:
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute("SET LOCAL synchronous_commit = off")  # rerun it if the machine dies
        _quiet_triggers(cursor)
        _copy(cursor, "contacts_call", CALL_COLUMNS, batch.calls)
        _copy(cursor, "contacts_contact", CONTACT_COLUMNS, batch.contact_rows)
        _copy(cursor, "events_domainevent", EVENT_COLUMNS, batch.events)


def _quiet_triggers(cursor) -> None:
    """History is not news: as a superuser, skip the per-row triggers (the live queue's NOTIFY
    and the deferred foreign-key checks, whose rows this module makes consistent)."""
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cursor.fetchone()[0]:
        cursor.execute("SET LOCAL session_replication_role = replica")
