"""The one SQL statement that writes a contact with its audit event and domain event.

Intake is the busiest write in Cairn: every channel ends here, and the API is
measured against a raw-SQL INSERT (bench/api_intake.py). So this module does
by hand, once per process, what ``Model.save()`` works out on every call:
which columns an INSERT writes and how each value is sent. A row is a dict of
attribute name -> value (no model instance is made); :class:`RowShape` turns it
into the INSERT's parameters, filling the fields' defaults as ``save()`` would.

``tests/contacts/test_intake_statement.py`` checks that the rows written this
way are the rows ``save()`` would write.
"""

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from django.contrib.postgres.fields import ArrayField
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.utils import timezone
from psycopg.types.json import Jsonb

from cairn.audit.models import AuditEvent
from cairn.contacts.models import Contact
from cairn.events.models import DomainEvent

NOT_GIVEN = object()


def _text(value: Any) -> Any:
    # Choices members are str subclasses (enums): send their plain value.
    return value if value is None or type(value) is str else str(value)


def _number(value: Any) -> Any:
    # The statement is prepared with each parameter's type: always send a float.
    return value if value is None else float(value)


def _json(value: Any) -> Any:
    return value if value is None else Jsonb(value)


def _as_is(value: Any) -> Any:
    return value


def _preparer(field: models.Field) -> Callable[[Any], Any]:
    """How a value of this field is sent: what its get_db_prep_save does, for our types."""
    if isinstance(field, models.JSONField):
        return _json
    if isinstance(field, models.FloatField):
        return _number
    if isinstance(field, models.BooleanField):
        return bool
    if isinstance(field, models.CharField | models.TextField):
        return _text
    if isinstance(
        field, models.DateTimeField | models.IntegerField | models.ForeignKey | ArrayField
    ):
        return _as_is
    raise TypeError(f"intake does not know how to send {field!r}: add it to _preparer")


@dataclass(frozen=True)
class Column:
    name: str  # in the database
    attname: str  # in the row dict
    default: Callable[[], Any] | None  # None: the value must be given
    prepare: Callable[[Any], Any]


@dataclass(frozen=True)
class RowShape:
    """The columns an INSERT of one model writes, worked out once."""

    table: str
    columns: tuple[Column, ...]

    def __post_init__(self):
        # What params() walks per row, as plain tuples: ~15 µs a contact less
        # than reading the Column objects' attributes.
        plan = tuple((c.attname, c.default, c.prepare) for c in self.columns)
        object.__setattr__(self, "_plan", plan)

    @classmethod
    def of(cls, model: type[models.Model]) -> "RowShape":
        columns = []
        for field in model._meta.local_concrete_fields:
            if field.primary_key or field.has_db_default():
                continue  # made by the database
            if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
                default = _now
            elif field.has_default():
                default = field.get_default
            elif field.null:
                default = _none
            else:
                default = None
            columns.append(Column(field.column, field.attname, default, _preparer(field)))
        return cls(model._meta.db_table, tuple(columns))

    def params(self, row: dict[str, Any], skip: str = "") -> list[Any]:
        """The values to send, in column order; ``skip`` names a column the statement fills.

        Fills the defaults into ``row`` as well, so that it then holds exactly
        what was written (the saved model is made from it).
        """
        values = []
        append = values.append
        for attname, default, prepare in self._plan:
            if attname == skip:
                continue
            value = row.get(attname, NOT_GIVEN)
            if value is NOT_GIVEN:
                if default is None:
                    raise KeyError(f"{self.table}.{attname} has no default: give a value")
                value = row[attname] = default()
            append(prepare(value))
        return values


def _now():
    return timezone.now()


def _none() -> None:
    return None


# The audit event's and domain event's columns that take the new contact's id.
AUDIT_TAKES_ID = "object_id"
EVENT_TAKES_ID = "subject_id"

# Contact's "contact_idempotent_per_source" constraint is a partial unique
# index; ON CONFLICT names its columns and predicate to use it.
IDEMPOTENCY_CONFLICT = (
    '("channel", "source", "idempotency_key") WHERE "idempotency_key" IS NOT NULL'
)
RETURNING = ("id", "reference")


@functools.cache
def shapes() -> tuple[RowShape, RowShape, RowShape]:
    return RowShape.of(Contact), RowShape.of(AuditEvent), RowShape.of(DomainEvent)


@functools.cache
def statement() -> str:
    """The statement's text, made once: every request sends the same."""
    contact, audit, event = shapes()
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name

    def insert(shape: RowShape, takes_id: str, source: str) -> str:
        names = ", ".join(quote(column.name) for column in shape.columns)
        values = ", ".join(
            "new_contact.id::text" if column.attname == takes_id else "%s"
            for column in shape.columns
        )
        return f"INSERT INTO {quote(shape.table)} ({names}) {source.format(values)}"

    returning = ", ".join(quote(name) for name in RETURNING)
    # Identifiers come from the models' metadata; every value is a parameter.
    return (
        f"WITH new_contact AS ({insert(contact, '', 'VALUES ({})')}"  # noqa: S608
        f" ON CONFLICT {IDEMPOTENCY_CONFLICT} DO NOTHING RETURNING {returning}),"
        f" audit_row AS ({insert(audit, AUDIT_TAKES_ID, 'SELECT {} FROM new_contact')}),"
        f" event_row AS ({insert(event, EVENT_TAKES_ID, 'SELECT {} FROM new_contact')})"
        f" SELECT {returning} FROM new_contact"
    )


def insert_together(
    contact: dict[str, Any], audit: dict[str, Any], event: dict[str, Any]
) -> tuple[int, str] | None:
    """INSERT the contact and, only if it went in, its audit and domain events: one statement.

    ``ON CONFLICT … DO NOTHING`` on the idempotency key: a contact already
    saved with this key (or being saved by a transaction in flight, which the
    INSERT waits for) makes the contact INSERT write nothing, so the two event
    INSERTs, which select from its result, write nothing either. PostgreSQL
    runs a statement as one transaction: all three rows or none. Returns the
    new contact's (id, reference), or None when nothing was written. The
    three dicts get the defaults that were written filled in.
    """
    contact_shape, audit_shape, event_shape = shapes()
    params = contact_shape.params(contact)
    params += audit_shape.params(audit, skip=AUDIT_TAKES_ID)
    params += event_shape.params(event, skip=EVENT_TAKES_ID)
    # The connection itself, not django.db.connection: that proxy looks the
    # connection up again (thread- and task-locals) on every use.
    cursor = _intake_cursor(connections[DEFAULT_DB_ALIAS])
    cursor.execute(statement(), params)
    return cursor.fetchone()


# Per thread: (the psycopg connection, the intake cursor on it). See _intake_cursor.
_intake = threading.local()


def _intake_cursor(db: BaseDatabaseWrapper) -> CursorWrapper:
    """A Django cursor for the intake statement that PostgreSQL parses and plans once.

    Django's cursors bind parameters in the client, so the intake statement
    would travel as ~5 KB of SQL text with its ~50 values written in, to be
    parsed and planned again on every request. This one binds on the server
    and psycopg prepares the statement on its first use on a connection: after
    that a request sends only the values. Measured here: PostgreSQL's CPU per
    intake ~290 µs -> ~150 µs, and ~110 µs less in this process. The psycopg
    cursor is kept, one per thread and connection, because psycopg caches per
    cursor how to send each type of value (~50 µs a request). Django's cursor
    wrapper goes around it, so the statement is logged, counted and wrapped
    like any other query, and its errors are Django's. (Prepared statements
    live in the server session: behind a transaction-pooling PgBouncer they
    need version 1.21 or later with ``max_prepared_statements`` set.)
    """
    db.close_if_health_check_failed()  # as db.cursor() does
    db.ensure_connection()
    db.validate_thread_sharing()
    raw = db.connection
    kept = getattr(_intake, "kept", None)
    if kept is None or kept[0] is not raw:
        if raw.prepare_threshold is None and not db.settings_dict["OPTIONS"].get(
            "server_side_binding"
        ):
            # Django leaves preparation off: its own cursors bind in the client
            # and cannot prepare. Only server-binding cursors (this one) use it.
            raw.prepare_threshold = 0
        kept = _intake.kept = (raw, psycopg.Cursor(raw))
    if db.queries_logged:
        return db.make_debug_cursor(kept[1])
    return db.make_cursor(kept[1])
