"""The real API intake against the raw-SQL reference: capacity, then latency at a fixed rate.

Four endpoints in the same server, every request with the same body and the
same ``Authorization`` header (the reference ignores it):

- ``reference``: ``POST /bench/reference``, one raw-SQL INSERT (the floor);
- ``api``: ``POST /api/v1/contacts`` with the demo integrator's API key: the
  whole real path (key check, schema validation, ``receive_contact``: contact,
  audit event and domain event in one transaction, the 201 body);
- ``api+key``: the same with a fresh ``Idempotency-Key`` on every request, so
  every request also writes its key and the submission's digest with the
  contact (no replays);
- ``floor``: ``POST /bench/intake-floor``, the API's own statement with rows
  worked out once: the write the API must make and nothing else. Measured
  and printed as a bound (what the API could reach with Python that cost
  nothing), not judged.

Part A, capacity: wrk (closed loop, ``--connections``), rounds interleaved as
in intake_vs_reference; ratio = api req/s ÷ reference req/s per round. Target:
median ≥ 0.5.

Part B, latency at a fixed rate: 60 % of the reference's capacity (its median
req/s in part A of the same run), sent open-loop by bench/rate.py to each
endpoint in turn, rounds interleaved the same way; p99 ratio = api p99 ÷
reference p99 per round. Target: median ≤ 3.

See bench/README.md for how to read the output.
"""

import json
import statistics
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from bench.load import LoadResult, post_load, rounds_line
from bench.plan import MAX_SPREAD, Plan, Ratios
from bench.rate import RateResult, constant_rate_load, http_request
from bench.server import Server
from cairn.launcher import ROOT

NAME = "api_intake"
TITLE = (
    "POST /api/v1/contacts (API key; schema; contact + audit event + domain event in one "
    "transaction), without and with Idempotency-Key, vs reference (one raw-SQL INSERT)"
)
T = TypeVar("T")
REFERENCE = "/bench/reference"
API = "/api/v1/contacts"
FLOOR = "/bench/intake-floor"
THROUGHPUT_TARGET = 0.5  # api req/s ÷ reference req/s, at least
RATE_SHARE = 0.6  # part B's rate, as a share of the reference's capacity
P99_TARGET = 3.0  # api p99 ÷ reference p99 at that rate, at most
# p99 rests on the slowest 1 % of a few thousand requests a round, so it moves
# more between rounds than a throughput does; past this the median is not trusted.
P99_MAX_SPREAD = 0.5

# A plausible report from an integrator's app: narrative, location, reporter.
BODY = json.dumps(
    {
        "channel": "partner_app",
        "narrative": (
            "Around 11pm two men were trying car door handles along the street and one "
            "of them got into a silver hatchback parked outside number 14. They drove off "
            "towards Leith Walk. I think it belongs to my neighbour, who is away."
        ),
        "category": "crime.vehicle",
        "reason": "new_matter",
        "language": "en",
        "reporter": {
            "name": "Alex Morgan",
            "email": "alex.morgan@example.org",
            "phone": "07700 900123",
        },
        "location": {"address": "14 Pilrig Street, Edinburgh", "postcode": "EH6 5AH"},
    }
)


class PreflightError(RuntimeError):
    pass


@dataclass(frozen=True)
class Variant:
    label: str
    path: str
    keyed: bool  # a fresh Idempotency-Key on every request


REFERENCE_VARIANT = Variant("reference", REFERENCE, keyed=False)
API_VARIANTS = (Variant("api", API, keyed=False), Variant("api+key", API, keyed=True))
# Not judged: the API's write alone, which bounds what work on the API's Python can reach.
FLOOR_VARIANT = Variant("floor", FLOOR, keyed=False)
COMPARED = (*API_VARIANTS, FLOOR_VARIANT)
VARIANTS = (REFERENCE_VARIANT, *COMPARED)


def _order(number: int) -> tuple[Variant, ...]:
    """Forward on odd rounds, backward on even ones: slow drift favours no endpoint."""
    return VARIANTS if number % 2 else tuple(reversed(VARIANTS))


@dataclass
class Report:
    name: str
    capacity: list[dict[str, LoadResult]] = field(default_factory=list)  # part A, per round
    rate: float = 0.0  # part B's target rate
    latency: list[dict[str, RateResult]] = field(default_factory=list)  # part B, per round
    warmup_errors: int = 0
    server_errors: int = 0
    rows: str = ""

    # Part A
    def throughput_ratios(self, label: str) -> Ratios:
        return Ratios(tuple(_ratio(r[label].rate, r["reference"].rate) for r in self.capacity))

    def reference_capacity(self) -> float:
        return statistics.median(r["reference"].rate for r in self.capacity)

    # Part B
    def p99_ratios(self, label: str) -> Ratios:
        return Ratios(tuple(_ratio(r[label].p99_ms, r["reference"].p99_ms) for r in self.latency))

    @property
    def failed_requests(self) -> int:
        return sum(r.error_count for run in self.capacity for r in run.values()) + sum(
            r.error_count for run in self.latency for r in run.values()
        )

    @property
    def valid(self) -> bool:
        """False when any measured request failed: the figures would count errors."""
        return bool(self.capacity) and bool(self.latency) and self.failed_requests == 0

    def summary(self) -> list[str]:
        lines = [f"{self.name}: {TITLE}"]
        lines.append(
            "  A. capacity (wrk, closed loop); ratio = api req/s / reference req/s, "
            f"target ≥ {THROUGHPUT_TARGET}"
        )
        for variant in VARIANTS:
            lines.append(rounds_line(variant.label, [r[variant.label] for r in self.capacity]))
        for variant in COMPARED:
            ratios = self.throughput_ratios(variant.label)
            met = "met" if ratios.median >= THROUGHPUT_TARGET else "NOT MET"
            verdict = (
                f"target {met}; {self._verdict(ratios)}"
                if variant in API_VARIANTS
                else "a bound, not judged"
            )
            lines.append(
                f"  {'ratio ' + variant.label:<14} median {ratios.median:.3f}  rounds "
                + " ".join(f"{value:.3f}" for value in ratios.values)
                + f"  spread {ratios.spread * 100:.1f} %  {verdict}"
            )
        lines.append(
            f"  B. latency at {self.rate:,.0f} req/s = {RATE_SHARE:.0%} of the reference's "
            "capacity above (open loop, bench/rate.py; latency from each request's due time); "
            f"p99 ratio = api p99 / reference p99, target ≤ {P99_TARGET:g}"
        )
        for variant in VARIANTS:
            results = [r[variant.label] for r in self.latency]
            lines.append(
                f"  {variant.label:<10} achieved {statistics.median(r.rate for r in results):7,.0f}"
                f" req/s, p50 {statistics.median(r.p50_ms for r in results):.2f} ms, "
                f"p99 {statistics.median(r.p99_ms for r in results):.2f} ms, "
                f"max {max(r.max_ms for r in results):.1f} ms; generator late p99 "
                f"{max(r.late_p99_ms for r in results):.2f} ms (medians of rounds; max: worst)"
            )
        for variant in COMPARED:
            ratios = self.p99_ratios(variant.label)
            met = "met" if ratios.median <= P99_TARGET else "NOT MET"
            verdict = (
                f"target {met}; {self._verdict(ratios, P99_MAX_SPREAD)}"
                if variant in API_VARIANTS
                else "a bound, not judged"
            )
            lines.append(
                f"  {'p99 ratio ' + variant.label:<18} median {ratios.median:.2f}  rounds "
                + " ".join(f"{value:.2f}" for value in ratios.values)
                + f"  spread {ratios.spread * 100:.0f} %  {verdict}"
            )
        if self.rows:
            lines.append(f"  {'rows':<10} {self.rows}")
        if self.warmup_errors or self.server_errors:
            lines.append(
                f"  {'errors':<10} {self.warmup_errors} failed warm-up requests, "
                f"{self.server_errors} ERROR lines in the server log"
            )
        return lines

    def _verdict(self, ratios: Ratios, max_spread: float = MAX_SPREAD) -> str:
        if not self.valid:
            return f"INVALID ({self.failed_requests} measured requests failed)"
        return ratios.verdict(max_spread)


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def _api_key() -> str:
    """The demo integrator's key, created in the bench database if it is not there yet."""
    from django.db import connection

    from cairn.demo.data import DEMO_API_KEY, load_demo_data

    load_demo_data()  # idempotent: changes nothing when the demo data is there
    connection.close()
    return DEMO_API_KEY


# One run here writes a couple of hundred thousand contacts. So that every run
# measures tables of about the same size (and the 5-digit references most
# contacts have), before each API load the bench database's contacts are
# emptied once the sequence has passed this.
REFERENCE_HEADROOM = 60_000
BENCH_DATA_DIR = ROOT / "var" / "pgbench"


def _keep_references_unique() -> bool:
    """Empty the bench database's contacts once the reference sequence has passed the headroom.

    Only ever on the dedicated bench server (its data directory is var/pgbench):
    anywhere else this refuses. Returns whether it reset.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM contacts_reference_seq")
        (last_value,) = cursor.fetchone()
        if last_value < REFERENCE_HEADROOM:
            connection.close()
            return False
        cursor.execute("SHOW data_directory")
        (data_directory,) = cursor.fetchone()
        if Path(data_directory).resolve() != BENCH_DATA_DIR.resolve():
            connection.close()
            raise PreflightError(
                f"contact references are at {last_value:,} and this is not the bench "
                "database (var/pgbench), so it is not emptied here"
            )
        # Rows only this benchmark writes there; CASCADE empties what points at contacts.
        cursor.execute("TRUNCATE contacts_contact CASCADE")
        cursor.execute("ALTER SEQUENCE contacts_reference_seq RESTART")
    connection.close()
    return True


def _row_counts() -> tuple[int, int]:
    from django.db import connection

    from cairn.contacts.models import Contact

    counts = (
        Contact.objects.count(),
        Contact.objects.filter(idempotency_key__isnull=False).count(),
    )
    connection.close()
    return counts


@dataclass
class Rows:
    """What the API loads wrote, counted around each one (the bench database may be reset)."""

    contacts: int = 0
    keys: int = 0
    resets: int = 0

    def around(self, load: Callable[[], T]) -> T:
        self.resets += _keep_references_unique()
        contacts, keys = _row_counts()
        result = load()
        contacts_after, keys_after = _row_counts()
        self.contacts += contacts_after - contacts
        self.keys += keys_after - keys
        return result


def preflight(server: Server, headers: dict[str, str]) -> None:
    """Each endpoint answers 201, and a repeated key gets the first answer back."""
    body = BODY.encode()
    for path in (REFERENCE, API, FLOOR):
        status, _ = server.post(path, body, headers)
        if status != 201:
            hint = " (are the endpoints on? CAIRN_BENCH=1)" if status == 404 else ""
            raise PreflightError(f"POST {path} answered {status}, expected 201{hint}")
    keyed = {**headers, "Idempotency-Key": f"bench-preflight-{uuid.uuid4().hex}"}
    first, second = server.post(API, body, keyed), server.post(API, body, keyed)
    if first[0] != 201 or first != second:
        raise PreflightError("a repeated Idempotency-Key did not get the first answer back")


def _capacity_round(
    server: Server, plan: Plan, number: int, headers: dict[str, str], run_id: str, rows: Rows
) -> tuple[dict[str, LoadResult], int]:
    """Each endpoint in the round's order: wrk warm-up, then measured; and warm-up errors."""
    results: dict[str, LoadResult] = {}
    warmup_errors = 0
    for variant in _order(number):
        for phase, seconds in (("warmup", plan.warmup), ("measured", plan.duration)):

            def load(variant: Variant = variant, phase: str = phase, seconds: int = seconds):
                return post_load(
                    server.url(variant.path),
                    BODY,
                    seconds=seconds,
                    connections=plan.connections,
                    threads=plan.threads,
                    headers=headers,
                    key_prefix=f"bench-{run_id}-a{number}-{phase}" if variant.keyed else None,
                )

            result = rows.around(load) if variant.path != REFERENCE else load()
            if phase == "measured":
                results[variant.label] = result
            else:
                warmup_errors += result.error_count
    return results, warmup_errors


def _request_maker(
    variant: Variant, headers: dict[str, str], prefix: str
) -> Callable[[int], bytes]:
    """make_request(i) for bench/rate.py: fixed bytes, or with Idempotency-Key PREFIX<i>."""
    head, rest = http_request(variant.path, BODY.encode(), headers)
    if not variant.keyed:
        whole = head + rest
        return lambda index: whole
    key_head = head + f"Idempotency-Key: {prefix}".encode()
    return lambda index: b"%s%d\r\n%s" % (key_head, index, rest)


def _latency_round(
    server: Server,
    plan: Plan,
    number: int,
    rate: float,
    headers: dict[str, str],
    run_id: str,
    rows: Rows,
) -> dict[str, RateResult]:
    """Each endpoint in this round's order at ``rate``, open loop; the server settles between."""
    host, port = server.host_and_port()
    results: dict[str, RateResult] = {}
    for variant in _order(number):
        make_request = _request_maker(variant, headers, f"bench-{run_id}-b{number}-")

        def load(make_request: Callable[[int], bytes] = make_request) -> RateResult:
            return constant_rate_load(
                host,
                port,
                make_request,
                rate=rate,
                warmup=plan.warmup,
                seconds=plan.duration,
                max_connections=4 * plan.connections,
                preopen=plan.connections,
            )

        results[variant.label] = rows.around(load) if variant.path != REFERENCE else load()
        server.settle()
    return results


def run(server: Server, plan: Plan) -> Report:
    print(f"{NAME}: {TITLE}", flush=True)
    print(f"  {plan.describe()}", flush=True)
    headers = {"Authorization": f"Bearer {_api_key()}"}
    rows = Rows(resets=int(_keep_references_unique()))
    preflight(server, headers)
    run_id = uuid.uuid4().hex[:12]  # keys stay unique across runs on one database
    report = Report(name=NAME)

    print("  A. capacity: wrk, closed loop", flush=True)
    for number in range(1, plan.rounds + 1):
        results, warmup_errors = _capacity_round(server, plan, number, headers, run_id, rows)
        report.capacity.append(results)
        report.warmup_errors += warmup_errors
        print(f"  round {number}/{plan.rounds} ({_order(number)[0].label} first)", flush=True)
        for variant in VARIANTS:
            print(f"    {variant.label:<10}{results[variant.label].line()}", flush=True)
        for variant in COMPARED:
            ratio = _ratio(results[variant.label].rate, results["reference"].rate)
            print(f"    ratio {variant.label:<8}{ratio:.3f}", flush=True)

    report.rate = RATE_SHARE * report.reference_capacity()
    print(
        f"  B. latency at {report.rate:,.0f} req/s ({RATE_SHARE:.0%} of the reference's "
        "median capacity above), open loop",
        flush=True,
    )
    for number in range(1, plan.rounds + 1):
        latency = _latency_round(server, plan, number, report.rate, headers, run_id, rows)
        report.latency.append(latency)
        print(f"  round {number}/{plan.rounds} ({_order(number)[0].label} first)", flush=True)
        for variant in VARIANTS:
            print(f"    {variant.label:<10}{latency[variant.label].line()}", flush=True)
        for variant in COMPARED:
            ratio = _ratio(latency[variant.label].p99_ms, latency["reference"].p99_ms)
            print(f"    p99 ratio {variant.label:<8}{ratio:.2f}", flush=True)

    answered = sum(r[v.label].requests for r in report.capacity for v in API_VARIANTS) + sum(
        r[v.label].answered for r in report.latency for v in API_VARIANTS
    )
    report.rows = (
        f"+{rows.contacts:,} contacts, +{rows.keys:,} with an idempotency key, written by the API "
        f"and floor loads, warm-ups included ({answered:,} measured API answers counted)"
        + (f"; bench database emptied {rows.resets}x (steady size)" if rows.resets else "")
    )
    report.server_errors = server.logged_errors()
    return report
