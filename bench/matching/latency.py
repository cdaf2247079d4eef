"""Online lookup latency: ``match_identity`` against an exact indexed phone lookup, interleaved.

Both run in this process on the same Django connection, against the same
population (``POPULATION_SCHEMA``), one call at a time, alternating which goes
first, each timed on its own with ``perf_counter_ns``. The exact lookup is the
floor: one index probe through Django's cursor, fetched. The matcher gets an
even mix of four kinds of probe, as contacts arrive:

- ``phone``: name, phone number, date of birth and postcode (a caller);
- ``email``: name and email only (a web form);
- ``dob+name``: name and date of birth only;
- ``postcode+name``: name and postcode only.

A fifth of the probes are people the population does not hold (new
callers), as some contacts are. The population's own people are read back
from the database, so a reused population needs no regeneration.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection

from bench.matching import store
from bench.people_synth import GENERATOR_VERSION, Record, fresh_people, population
from cairn.people.identity import Identity, identity_of
from cairn.people.matching_policy import MatchingPolicy

POPULATION_SCHEMA = "bench_matching_population"
PROBE_KINDS = ("phone", "email", "dob+name", "postcode+name")
EXACT_SQL = "SELECT person_id FROM people_identifier WHERE kind = 'phone' AND value = %s"
NEW_CALLERS = 0.2
EXPLAIN_SLOWEST = 5
# The p99 ratio of the run's fifths further apart than this (relative to their median): the
# machine was not steady, and the p99s say more about other processes than about the calls.
MAX_BLOCK_SPREAD = 0.5


def percentile(values: list[int] | list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least ``share`` of the values at or below it."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


@dataclass
class Timings:
    exact_ns: list[int] = field(default_factory=list)
    match_ns: list[int] = field(default_factory=list)
    match_kind: list[str] = field(default_factory=list)
    candidates: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class CpuCost:
    """Mean CPU per call, this process and the PostgreSQL backend, over a pass of one kind."""

    calls: int
    wall_us: float
    process_us: float
    backend_us: float | None  # None where /proc does not show the backend

    @property
    def total_us(self) -> float:
        return self.process_us + (self.backend_us or 0.0)


@dataclass
class Split:
    """Where a match's time goes, per probe kind: the SQL statement, then the Python scoring."""

    sql_ns: dict[str, list[int]] = field(default_factory=dict)
    score_ns: dict[str, list[int]] = field(default_factory=dict)
    slowest: list[str] = field(default_factory=list)  # one line per EXPLAINed probe
    explain_path: str = ""
    exact_cpu: CpuCost | None = None
    match_cpu: CpuCost | None = None


@dataclass
class LatencyResult:
    loaded: store.Loaded
    timings: Timings
    split: Split
    probes: int
    warmup: int

    def exact_p99_us(self) -> float:
        return percentile(self.timings.exact_ns, 0.99) / 1000

    def match_p99_us(self) -> float:
        return percentile(self.timings.match_ns, 0.99) / 1000

    def ratio(self) -> float:
        return self.match_p99_us() / self.exact_p99_us() if self.timings.exact_ns else 0.0

    def spread(self) -> float:
        """(max - min) / median of the fifths' p99 ratios."""
        blocks = self.block_ratios()
        return (max(blocks) - min(blocks)) / statistics.median(blocks) if blocks else 0.0

    def steady(self) -> bool:
        return self.spread() <= MAX_BLOCK_SPREAD

    def block_ratios(self, blocks: int = 5) -> list[float]:
        """The p99 ratio in each fifth of the run: how steady the machine was."""
        exact, match = self.timings.exact_ns, self.timings.match_ns
        size = len(exact) // blocks
        return [
            percentile(match[i * size : (i + 1) * size], 0.99)
            / percentile(exact[i * size : (i + 1) * size], 0.99)
            for i in range(blocks)
            if size
        ]


def ensure_population(size: int, seed: int) -> store.Loaded:
    """The population of ``size`` people for ``seed``, loaded unless it already is."""
    found = store.existing(POPULATION_SCHEMA, GENERATOR_VERSION, seed, size)
    if found:
        return found
    return store.load(
        POPULATION_SCHEMA, population(size, seed), version=GENERATOR_VERSION, seed=seed, size=size
    )


def _records(person_ids: list[int]) -> dict[int, Record]:
    """The stored records of these people, read back from the population's tables."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.id, p.given_name, p.family_name, p.date_of_birth,
                   ARRAY(SELECT value FROM people_identifier i
                          WHERE i.person_id = p.id AND i.kind = 'phone' ORDER BY i.id),
                   ARRAY(SELECT value FROM people_identifier i
                          WHERE i.person_id = p.id AND i.kind = 'email' ORDER BY i.id),
                   (SELECT a.address_text FROM people_personaddress a WHERE a.person_id = p.id
                     ORDER BY a.id LIMIT 1),
                   (SELECT a.postcode FROM people_personaddress a WHERE a.person_id = p.id
                     ORDER BY a.id LIMIT 1)
              FROM people_person p WHERE p.id = ANY(%s) ORDER BY p.id
            """,
            [person_ids],
        )
        return {
            row[0]: Record(
                row[1], row[2], row[3], tuple(row[4]), tuple(row[5]), row[6] or "", row[7] or ""
            )
            for row in cursor.fetchall()
        }


def _probe_identity(record: Record, kind: str) -> Identity | None:
    """What a contact of this kind would give, or None when the person lacks that detail."""
    name = {"given_name": record.given_name, "family_name": record.family_name}
    if kind == "phone" and record.phones:
        return identity_of(
            **name,
            phones=record.phones[:1],
            date_of_birth=record.date_of_birth,
            postcode=record.postcode,
        )
    if kind == "email" and record.emails:
        return identity_of(**name, emails=record.emails[:1])
    if kind == "dob+name" and record.date_of_birth:
        return identity_of(**name, date_of_birth=record.date_of_birth)
    if kind == "postcode+name" and record.postcode:
        return identity_of(**name, postcode=record.postcode)
    return None


def build_probes(loaded: store.Loaded, count: int, seed: int) -> tuple[list, list[str]]:
    """``count`` (kind, identity) probes in an even mix, and phone numbers of people in the
    population for the exact lookup (each finds its person)."""
    rng = random.Random(seed)
    known = _records(rng.sample(range(1, loaded.persons + 1), min(loaded.persons, count * 2)))
    newcomers = [person.truth for person in fresh_people(count, seed + 10_007)]
    sources = {"known": list(known.values()), "new": newcomers}
    probes: list[tuple[str, Identity]] = []
    position = {"known": 0, "new": 0}
    while len(probes) < count:
        kind = PROBE_KINDS[len(probes) % len(PROBE_KINDS)]
        pool = "new" if rng.random() < NEW_CALLERS else "known"
        for _ in range(len(sources[pool])):
            record = sources[pool][position[pool] % len(sources[pool])]
            position[pool] += 1
            identity = _probe_identity(record, kind)
            if identity is not None:
                probes.append((kind, identity))
                break
        else:
            raise RuntimeError(f"no {pool} person has what a {kind} probe needs")
    phones = [phone for record in known.values() for phone in record.phones[:1]]
    return probes, phones


def _exact_lookup(phone: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(EXACT_SQL, [phone])
        cursor.fetchall()


def measure(probes: list, phones: list[str], warmup: int, policy: MatchingPolicy) -> Timings:
    from cairn.people.matching import match_identity

    clock = time.perf_counter_ns
    warm, probes = probes[:warmup], probes[warmup:]
    warm_phones, phones = phones[:warmup], phones[warmup:]
    for number, (_, identity) in enumerate(warm):
        _exact_lookup(warm_phones[number % len(warm_phones)])
        match_identity(identity, policy)
    timings = Timings()
    gc.collect()
    gc.freeze()  # the generated population is not garbage: keep collections from scanning it
    try:
        for number, (kind, identity) in enumerate(probes):
            phone = phones[number % len(phones)]
            for first in (True, False) if number % 2 == 0 else (False, True):
                start = clock()
                if first:
                    _exact_lookup(phone)
                    timings.exact_ns.append(clock() - start)
                else:
                    result = match_identity(identity, policy)
                    timings.match_ns.append(clock() - start)
                    timings.match_kind.append(kind)
                    timings.candidates.append(result.candidates_scored)
    finally:
        gc.unfreeze()
    return timings


def _backend_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks


def cpu_cost(call, arguments: list) -> CpuCost:
    """Run ``call`` over every argument in a row: wall, process and backend CPU per call. CPU
    time does not grow when other work shares the machine, so it compares between runs."""
    import os

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    tick_us = 1e6 / os.sysconf("SC_CLK_TCK")
    ticks_before, process_before = _backend_ticks(backend), time.process_time_ns()
    wall_before = time.perf_counter_ns()
    for argument in arguments:
        call(argument)
    wall = time.perf_counter_ns() - wall_before
    process, ticks_after = time.process_time_ns() - process_before, _backend_ticks(backend)
    calls = len(arguments)
    backend_us = None
    if ticks_before is not None and ticks_after is not None:
        backend_us = (ticks_after - ticks_before) * tick_us / calls
    return CpuCost(calls, wall / calls / 1000, process / calls / 1000, backend_us)


def split_time(
    probes: list,
    phones: list[str],
    timings: Timings,
    explain_to: Path | None,
    policy: MatchingPolicy,
) -> Split:
    """After the timed run: find_candidates and rank timed apart for every probe, the CPU
    cost of each kind of call, and EXPLAIN ANALYZE of the slowest matches."""
    from cairn.people.candidates_function import EXPLAINABLE_QUERY
    from cairn.people.matching import (
        blocking_parameters,
        candidates_sql,
        find_candidates,
        match_identity,
        rank,
    )

    clock = time.perf_counter_ns
    split = Split()
    for kind, identity in probes:
        start = clock()
        records = find_candidates(identity, policy)
        middle = clock()
        rank(identity, records, policy)
        split.sql_ns.setdefault(kind, []).append(middle - start)
        split.score_ns.setdefault(kind, []).append(clock() - middle)
    split.exact_cpu = cpu_cost(_exact_lookup, phones[: len(probes)])
    split.match_cpu = cpu_cost(
        lambda identity: match_identity(identity, policy), [identity for _, identity in probes]
    )
    slowest = sorted(range(len(probes)), key=lambda i: -timings.match_ns[i])[:EXPLAIN_SLOWEST]
    plans = []
    for index in slowest:
        kind, identity = probes[index]
        if candidates_sql(identity) is None:
            continue
        with connection.cursor() as cursor:  # the query the function runs, to see its plan
            cursor.execute(
                "EXPLAIN (ANALYZE, BUFFERS) " + EXPLAINABLE_QUERY,
                blocking_parameters(identity, policy),
            )
            plan = [row[0] for row in cursor.fetchall()]
        executed = next((line for line in plan if line.startswith("Execution Time")), "?")
        split.slowest.append(
            f"{kind}: {timings.match_ns[index] / 1000:,.0f} µs in the timed run, "
            f"{timings.candidates[index]} candidates; EXPLAIN ANALYZE now: {executed}"
        )
        plans.append(f"-- {kind}: {identity}\n" + "\n".join(plan))
    if explain_to is not None and plans:
        explain_to.parent.mkdir(parents=True, exist_ok=True)
        explain_to.write_text("\n\n".join(plans) + "\n", encoding="utf-8")
        split.explain_path = str(explain_to)
    return split


def run_latency(
    size: int,
    seed: int,
    samples: int,
    warmup: int,
    explain_to: Path | None,
    policy: MatchingPolicy,
) -> LatencyResult:
    loaded = ensure_population(size, seed)
    with store.people_tables_in(POPULATION_SCHEMA):
        probes, phones = build_probes(loaded, warmup + samples, seed)
        timings = measure(probes, phones, warmup, policy)
        split = split_time(probes[warmup:], phones[warmup:], timings, explain_to, policy)
    return LatencyResult(loaded, timings, split, samples, warmup)


def kind_figures(values_ns: list[int]) -> str:
    if not values_ns:
        return "none"
    return (
        f"p50 {statistics.median(values_ns) / 1000:,.0f} µs, "
        f"p99 {percentile(values_ns, 0.99) / 1000:,.0f} µs"
    )
