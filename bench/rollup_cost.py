"""rollup_cost: what the performance rollups add to intake (issue 7), as the intake benchmark.

The rollups cost a write two things: every event row's transaction id
(``txid``, a column default) and its index, which the catch-up reads; and the
catch-up itself, which runs beside the writes (every minute in production).
This loads the intake endpoint (bench/intake_vs_reference.py: validate, ORM
create, domain event, audit row, one transaction) with the rollups

- **on**, as deployed, with ``catch_up()`` running every second in this
  process (sixty times more often than the periodic task), and
- **off**: ``txid`` a constant instead of the transaction's id, no index, no catch-up,

in alternating order each round. ratio = intake req/s on ÷ intake req/s off;
the cost is 1 − ratio. Run on the bench database only: it changes the events
table's schema between rounds and restores it at the end.
"""

import threading
from dataclasses import dataclass, field

from bench.intake_vs_reference import BODY, INTAKE
from bench.load import LoadResult, post_load, rounds_line
from bench.plan import Plan, Ratios
from bench.preflight import disposable_database_refusal
from bench.server import Server

NAME = "rollup_cost"
TITLE = "intake with the performance rollups on (txid, its index, catch-up every 1 s) vs off"
CATCH_UP_EVERY = 1.0


class PreflightError(RuntimeError):
    pass


def _require_disposable_database() -> None:
    refusal = disposable_database_refusal(f"{NAME} changes the events table")
    if refusal:
        raise PreflightError(refusal)


def _execute(*statements: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def rollups_off() -> None:
    """No index, and a constant instead of the transaction's id (events are append-only, so
    the column stays NOT NULL; rows written while off carry 0 and are never folded in)."""
    _execute(
        "DROP INDEX IF EXISTS events_domainevent_txid",
        "ALTER TABLE events_domainevent ALTER COLUMN txid SET DEFAULT '0'::xid8",
    )


def rollups_on() -> None:
    """Back as migration events 0003 left it."""
    _execute(
        "ALTER TABLE events_domainevent ALTER COLUMN txid SET DEFAULT pg_current_xact_id()",
        "CREATE INDEX IF NOT EXISTS events_domainevent_txid ON events_domainevent (txid)",
    )


class CatchUpLoop:
    """``catch_up()`` every second in a thread of its own, with its own connection."""

    def __init__(self):
        self.stop = threading.Event()
        self.runs = 0
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        from django.db import connection

        from cairn.performance.rollups import catch_up

        try:
            while not self.stop.wait(CATCH_UP_EVERY):
                catch_up()
                self.runs += 1
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


@dataclass
class Round:
    number: int
    on: LoadResult
    off: LoadResult
    catch_ups: int

    @property
    def ratio(self) -> float:
        return self.on.rate / self.off.rate if self.off.rate else 0.0


@dataclass
class Report:
    rounds: list[Round] = field(default_factory=list)
    warmup_errors: int = 0

    @property
    def ratios(self) -> Ratios:
        return Ratios(tuple(round_.ratio for round_ in self.rounds))

    @property
    def failed_requests(self) -> int:
        return sum(r.on.error_count + r.off.error_count for r in self.rounds)

    @property
    def valid(self) -> bool:
        return bool(self.rounds) and self.failed_requests == 0

    def summary(self) -> list[str]:
        lines = [f"{NAME}: {TITLE}; ratio = intake req/s on / off"]
        for label in ("off", "on"):
            results = [getattr(round_, label) for round_ in self.rounds]
            lines.append(rounds_line(label, results))
        ratios = self.ratios
        lines.append(ratios.line())
        lines.append(
            f"  {'cost':<10} {100 * (1 - ratios.median):.1f} % of intake throughput;"
            f" catch-up ran {sum(r.catch_ups for r in self.rounds)} times while on"
        )
        verdict = (
            ratios.verdict()
            if self.valid
            else f"INVALID ({self.failed_requests} measured requests failed)"
        )
        lines.append(f"  {'verdict':<10} {verdict}")
        return lines


def _load(server: Server, plan: Plan, report: Report) -> LoadResult:
    result = None
    for seconds, measured in ((plan.warmup, False), (plan.duration, True)):
        result = post_load(
            server.url(INTAKE),
            BODY,
            seconds=seconds,
            connections=plan.connections,
            threads=plan.threads,
        )
        if not measured:
            report.warmup_errors += result.error_count
    return result


def run(server: Server, plan: Plan) -> Report:
    print(f"{NAME}: {TITLE}", flush=True)
    print(f"  {plan.describe()}", flush=True)
    _require_disposable_database()
    if server.post_json(INTAKE, BODY.encode()) != 201:
        raise PreflightError(f"POST {INTAKE} did not answer 201 (CAIRN_BENCH=1?)")
    from cairn.performance.rollups import catch_up

    rollups_on()
    print(f"  first, the rollups catch up: {catch_up().events:,} events", flush=True)
    report = Report()
    try:
        for number in range(1, plan.rounds + 1):
            results: dict[str, LoadResult] = {}
            catch_ups = 0
            for side in ("on", "off") if number % 2 else ("off", "on"):
                if side == "on":
                    rollups_on()
                    with CatchUpLoop() as loop:
                        results[side] = _load(server, plan, report)
                    catch_ups = loop.runs
                else:
                    rollups_off()
                    results[side] = _load(server, plan, report)
            round_ = Round(number, results["on"], results["off"], catch_ups)
            report.rounds.append(round_)
            print(
                f"  round {number}/{plan.rounds}\n"
                f"    off    {round_.off.line()}\n"
                f"    on     {round_.on.line()} ({catch_ups} catch-ups)\n"
                f"    ratio  {round_.ratio:.3f}",
                flush=True,
            )
    finally:
        rollups_on()
    return report
