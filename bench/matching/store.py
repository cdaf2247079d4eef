"""The benchmark's own copies of the people tables, each in a schema of its own, loaded by COPY.

``cairn.people.matching`` reads ``people_person``, ``people_personname``,
``people_identifier`` and ``people_personaddress`` unqualified, so setting
``search_path`` to a schema holding tables of the same definition points the
real matcher (and the exact lookup) at a synthetic population without
touching the real tables or anything else in the bench database. The tables
are created ``LIKE`` the migrated ones in ``public``; after the COPY every
index and unique constraint those have is built the same way (from
``pg_get_indexdef`` / ``pg_get_constraintdef``), then their foreign keys (to
the schema's own tables), then ANALYZE: nothing the real tables have is left
out.

A loaded population stays. Its schema holds a marker row (generator version,
seed, size, and a digest of the public tables' definition); a later run with
the same three and unchanged tables reuses it, anything else drops the schema
and loads again.
"""

from __future__ import annotations

import hashlib
import io
import re
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection

from bench.people_synth import Record
from cairn.people.identity import normalise_address, normalise_email, normalise_name

TABLES = ("people_person", "people_personname", "people_identifier", "people_personaddress")
COLUMNS = {
    "people_person": (
        "id, given_name, family_name, search_name, date_of_birth, preferred_language, "
        "access_needs, "
        "interpreter_language, preferred_channel, preferred_times, consents_to_updates, "
        "created_at, updated_at"
    ),
    "people_personname": "id, kind, given_name, family_name, normalised, person_id",
    "people_identifier": "id, kind, value, first_seen_at, person_id",
    "people_personaddress": (
        "id, address_text, postcode, normalised, is_current, first_seen_at, person_id"
    ),
}
CHUNK = 100_000  # people per round of four COPY statements


@dataclass(frozen=True)
class Loaded:
    schema: str
    reused: bool
    persons: int
    names: int
    identifiers: int
    addresses: int
    seconds: float  # the load (or, reused, the original load)


def structure_digest() -> str:
    """A digest of the public people tables' columns, indexes and constraints: a population
    loaded before a migration changed any of them is not reused."""
    parts = []
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(
                "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = %s ORDER BY ordinal_position",
                [table],
            )
            parts.append(repr(cursor.fetchall()))
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = %s "
                "ORDER BY indexname",
                [table],
            )
            parts.append(repr(cursor.fetchall()))
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass ORDER BY conname",
                [f"public.{table}"],
            )
            parts.append(repr(cursor.fetchall()))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _marker_key(version: int, seed: int, size: int, digest: str) -> str:
    return f"v{version} seed {seed} size {size} tables {digest}"


def existing(schema: str, version: int, seed: int, size: int) -> Loaded | None:
    """The population already in ``schema`` if it is the one asked for, else None."""
    key = _marker_key(version, seed, size, structure_digest())
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"{schema}.bench_population"])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(
            f"SELECT persons, names, identifiers, addresses, load_seconds "
            f"FROM {schema}.bench_population WHERE key = %s",
            [key],
        )
        row = cursor.fetchone()
    if not row:
        return None
    settle(schema)  # cheap when nothing changed; sets the visibility map after an old load
    return Loaded(schema, True, *row)


def load(
    schema: str, records: Iterable[tuple[int, Record]], *, version: int, seed: int, size: int
) -> Loaded:
    """Drop ``schema``, create the four tables in it, COPY the records, index, analyse, mark."""
    started = time.perf_counter()
    digest = structure_digest()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        cursor.execute(f"CREATE SCHEMA {schema}")
        for table in TABLES:
            cursor.execute(
                f"CREATE TABLE {schema}.{table} (LIKE public.{table} INCLUDING DEFAULTS "
                f"INCLUDING CONSTRAINTS INCLUDING IDENTITY INCLUDING GENERATED)"
            )
    counts = dict.fromkeys(TABLES, 0)
    for chunk in _chunks(records, CHUNK):
        buffers = _rows(chunk, counts)
        with connection.cursor() as cursor:
            for table in TABLES:
                copy_sql = f"COPY {schema}.{table} ({COLUMNS[table]}) FROM STDIN"
                with cursor.cursor.copy(copy_sql) as copy:
                    copy.write(buffers[table].getvalue())
    _build_indexes(schema)
    seconds = time.perf_counter() - started
    loaded = Loaded(
        schema,
        False,
        counts["people_person"],
        counts["people_personname"],
        counts["people_identifier"],
        counts["people_personaddress"],
        seconds,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {schema}.bench_population (key text PRIMARY KEY, persons bigint, "
            f"names bigint, identifiers bigint, addresses bigint, load_seconds float, "
            f"loaded_at timestamptz)"
        )
        cursor.execute(
            f"INSERT INTO {schema}.bench_population VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [
                _marker_key(version, seed, size, digest),
                loaded.persons,
                loaded.names,
                loaded.identifiers,
                loaded.addresses,
                seconds,
                datetime.now(UTC),
            ],
        )
    return loaded


def _chunks(records: Iterable[tuple[int, Record]], size: int) -> Iterator[list]:
    chunk = []
    for item in records:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _rows(chunk: list[tuple[int, Record]], counts: dict[str, int]) -> dict[str, io.StringIO]:
    """COPY text for the four tables. The generator's values hold no tab, newline or
    backslash, so they need no escaping."""
    now = datetime.now(UTC).isoformat()
    buffers = {table: io.StringIO() for table in TABLES}
    person, name, identifier, address = (buffers[table].write for table in TABLES)
    for person_id, record in chunk:
        born = record.date_of_birth.isoformat() if record.date_of_birth else "\\N"
        person(
            f"{person_id}\t{record.given_name}\t{record.family_name}\t"
            f"{normalise_name(record.given_name, record.family_name)}\t{born}\t\t{{}}\t\t\t\tf"
            f"\t{now}\t{now}\n"
        )
        for kind, (given, family) in (
            ("primary", (record.given_name, record.family_name)),
            *(("alias", alias) for alias in record.aliases),
        ):
            counts["people_personname"] += 1
            name(
                f"{counts['people_personname']}\t{kind}\t{given}\t{family}\t"
                f"{normalise_name(given, family)}\t{person_id}\n"
            )
        for kind, value in (
            *(("phone", phone) for phone in record.phones),
            *(("email", normalise_email(email)) for email in record.emails),
        ):
            counts["people_identifier"] += 1
            identifier(f"{counts['people_identifier']}\t{kind}\t{value}\t{now}\t{person_id}\n")
        if record.address or record.postcode:
            counts["people_personaddress"] += 1
            address(
                f"{counts['people_personaddress']}\t{record.address}\t{record.postcode}\t"
                f"{normalise_address(record.address)}\tt\t{now}\t{person_id}\n"
            )
    counts["people_person"] += len(chunk)
    return buffers


def _build_indexes(schema: str) -> None:
    """Every index and constraint of the public tables, on the schema's copies."""
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for table in TABLES:
            cursor.execute(
                "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "WHERE c.conrelid = %s::regclass AND c.contype IN ('p', 'u') ORDER BY c.conname",
                [f"public.{table}"],
            )
            constraints = cursor.fetchall()
            for name, definition in constraints:
                cursor.execute(f"ALTER TABLE {schema}.{table} ADD CONSTRAINT {name} {definition}")
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes "
                "WHERE schemaname = 'public' AND tablename = %s ORDER BY indexname",
                [table],
            )
            backing = {name for name, _ in constraints}
            for name, definition in cursor.fetchall():
                if name in backing:
                    continue
                cursor.execute(
                    definition.replace(f" ON public.{table} ", f" ON {schema}.{table} ", 1)
                )
        for table in TABLES:  # the foreign keys, once every table has its primary key
            cursor.execute(
                "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "WHERE c.conrelid = %s::regclass AND c.contype = 'f' ORDER BY c.conname",
                [f"public.{table}"],
            )
            for name, definition in cursor.fetchall():
                local = re.sub(
                    r"REFERENCES (?:public\.)?(\w+)\(", rf"REFERENCES {schema}.\1(", definition
                )
                cursor.execute(f"ALTER TABLE {schema}.{table} ADD CONSTRAINT {name} {local}")
        cursor.execute("RESET maintenance_work_mem")
    settle(schema)


def settle(schema: str) -> None:
    """VACUUM (ANALYZE) the tables, as autovacuum would have done to a live database.

    A table fresh from COPY has no visibility map, so an index-only scan (the
    matcher's covering indexes) still reads the heap; a live database's
    tables are vacuumed in the background. Inside a transaction (the tests)
    VACUUM is not allowed, and ANALYZE alone is done.
    """
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"{command} {schema}.{table}")


@contextmanager
def people_tables_in(schema: str) -> Iterator[None]:
    """Unqualified people tables (the matcher's SQL) resolve to ``schema`` inside the block."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW search_path")
        (previous,) = cursor.fetchone()
        cursor.execute(f"SET search_path TO {schema}, public")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"SET search_path TO {previous}")
