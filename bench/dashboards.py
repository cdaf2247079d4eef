"""dashboards: every performance dashboard on 1 M and 10 M synthetic contacts (issue 7).

For each size N (``--contacts``, default 1,000,000 and 10,000,000) this uses
its own database in the bench cluster, ``cairn_demand_<N>``: made the first
time with ``manage.py generate_demand --contacts N`` (minutes; kept for the
next run, which only migrates it and folds in what is new). It then

1. times ``SELECT count(*) FROM contacts_contact`` (7 times before the pages
   and 7 after, on the same server, the median of the 14 is the yardstick),
2. starts the web server on that database (as ``make run`` starts it, one
   worker), signs in the demo supervisor through the real sign-in, and
3. asks every dashboard page, export and the public open data page 3 times to
   warm up and 15 times measured, reading the *server* time each took from
   the ``Server-Timing`` header (cairn/benchmarks/middleware.py).

The targets (issue 7): every dashboard ≤ 250 ms of server time at 10 M; ≤ 0.1 ×
the count(*) of the contacts table in the same run; t(10 M) / t(1 M) ≤ 2.
Judged on each page's median.
"""

import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
import psycopg
from psycopg import sql

from bench.plan import Plan
from bench.preflight import signed_in_staff
from bench.server import Server, running_server
from cairn.launcher import PYTHON, ROOT

NAME = "dashboards"
TITLE = "Performance dashboards on synthetic national history"
WARMUP = 3
MEASURED = 15
COUNTS = 7
LIMIT_MS = 250.0
LIMIT_SHARE_OF_COUNT = 0.1
LIMIT_GROWTH = 2.0


class PreflightError(RuntimeError):
    pass


# The databases ------------------------------------------------------------------------------


def database_url(size: int) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/cairn_demand_{size}"))


def _admin_url() -> str:
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres"))


def _manage(url: str, *args: str, quiet: bool = True) -> None:
    environment = {**os.environ, "DATABASE_URL": url}
    output = subprocess.DEVNULL if quiet else None
    subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=environment, check=True, stdout=output
    )


def _synthetic_contacts(url: str) -> int:
    with psycopg.connect(url) as connection:
        (count,) = connection.execute(
            "SELECT count(*) FROM contacts_contact WHERE reference LIKE 'SYN-%%'"
        ).fetchone()
    return count


def _recreate(name: str) -> None:
    with psycopg.connect(_admin_url(), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _exists(name: str) -> bool:
    with psycopg.connect(_admin_url(), autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return found.fetchone() is not None


@dataclass
class Prepared:
    url: str
    how: str  # "generated in …" or "reused"
    catch_up_seconds: float
    history_end: date


def prepare(size: int) -> Prepared:
    """The size's database, migrated, holding exactly ``size`` synthetic contacts, caught up."""
    url = database_url(size)
    name = f"cairn_demand_{size}"
    how = "reused"
    if not _exists(name):
        _recreate(name)
    _manage(url, "migrate", "--noinput", "-v", "0")
    if _synthetic_contacts(url) != size:
        _recreate(name)
        _manage(url, "migrate", "--noinput", "-v", "0")
        print(f"  generating {size:,} synthetic contacts into {name} (once)…", flush=True)
        started = time.monotonic()
        _manage(url, "generate_demand", "--contacts", str(size), quiet=False)
        how = f"generated in {time.monotonic() - started:.0f} s"
    _manage(url, "load_demo")
    started = time.monotonic()
    _manage(url, "catch_up_rollups", quiet=False)
    caught_up = time.monotonic() - started
    with psycopg.connect(url, autocommit=True) as connection:
        # As a database that has been up a while would be: visibility map set, statistics fresh.
        connection.execute("VACUUM (ANALYZE) contacts_contact")
        connection.execute("VACUUM (ANALYZE) performance_rollupcell")
        (end,) = connection.execute(
            "SELECT max(received_at AT TIME ZONE 'Europe/London')::date FROM contacts_contact "
            "WHERE reference LIKE 'SYN-%%'"
        ).fetchone()
    return Prepared(url, how, caught_up, end)


def count_contacts_ms(url: str, times: int = COUNTS) -> list[float]:
    timings = []
    with psycopg.connect(url) as connection:
        for _ in range(times):
            started = time.perf_counter()
            connection.execute("SELECT count(*) FROM contacts_contact").fetchone()
            timings.append((time.perf_counter() - started) * 1000)
    return timings


# The pages ----------------------------------------------------------------------------------


def pages(end: date) -> list[tuple[str, str]]:
    """(label, path) of every dashboard, over the last 28 days of the history or 12 months."""
    from cairn.performance.measures import MEASURE_LIST

    days = {"first": (end - timedelta(days=27)).isoformat(), "last": end.isoformat()}
    first_of_month = end.replace(day=1)
    year_first = (first_of_month - timedelta(days=365)).replace(day=1)
    months = {"first": year_first.isoformat(), "last": (first_of_month - timedelta(1)).isoformat()}

    def at(path: str, **query) -> str:
        return f"{path}?{urlencode(query)}"

    found = [
        ("overview, 28 days", at("/staff/performance/", **days)),
        ("overview, 28 days, division G", at("/staff/performance/", **days, division="G")),
        ("overview, 28 days, 999 calls", at("/staff/performance/", **days, channel="phone_999")),
        ("overview, 12 months", at("/staff/performance/", **months)),
    ]
    found += [
        (f"measure {measure.code}, 28 days", at(f"/staff/performance/{measure.code}/", **days))
        for measure in MEASURE_LIST
    ]
    found += [
        (
            "measure answer_999, 28 days, G + 999",
            at("/staff/performance/answer_999/", **days, division="G", channel="phone_999"),
        ),
        ("measure contacts, 12 months", at("/staff/performance/contacts/", **months)),
        ("export contacts CSV, 28 days", at("/staff/performance/contacts/export.csv", **days)),
        ("export contacts XLSX, 28 days", at("/staff/performance/contacts/export.xlsx", **days)),
        ("open data page (public)", "/open-data/"),
        ("open data CSV (public)", "/open-data/cairn-open-data.csv"),
    ]
    return found


def _signed_in(server: Server) -> httpx.Client:
    client = signed_in_staff(server, "supervisor", "/staff/performance/")
    if client is None:
        raise PreflightError("the demo supervisor could not sign in (see var/bench/server.log)")
    return client


def _server_ms(response: httpx.Response) -> float:
    timing = response.headers.get("Server-Timing", "")
    found = re.search(r"app;dur=([0-9.]+)", timing)
    if not found:
        raise PreflightError(f"no Server-Timing on {response.request.url.path}")
    return float(found.group(1))


@dataclass
class PageTiming:
    label: str
    path: str
    server_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.server_ms) if self.server_ms else float("nan")

    @property
    def worst(self) -> float:
        return max(self.server_ms) if self.server_ms else float("nan")


def time_page(client: httpx.Client, label: str, path: str) -> PageTiming:
    timing = PageTiming(label, path)
    for number in range(WARMUP + MEASURED):
        response = client.get(path)
        if response.status_code != 200:
            timing.failures.append(f"{path} answered {response.status_code}")
            return timing
        if number >= WARMUP:
            timing.server_ms.append(_server_ms(response))
    return timing


# The report ---------------------------------------------------------------------------------


@dataclass
class SizeRun:
    size: int
    prepared: Prepared
    count_ms: list[float]
    pages: list[PageTiming]

    @property
    def count_median(self) -> float:
        return statistics.median(self.count_ms)


@dataclass
class Report:
    runs: list[SizeRun] = field(default_factory=list)

    @property
    def failures(self) -> list[str]:
        return [failure for run in self.runs for page in run.pages for failure in page.failures]

    @property
    def valid(self) -> bool:
        return bool(self.runs) and not self.failures

    def summary(self) -> list[str]:
        lines = [f"---- {NAME}: {TITLE}"]
        for run in self.runs:
            prepared = run.prepared
            lines += [
                f"{run.size:,} contacts (database {prepared.how}; history to "
                f"{prepared.history_end}; rollups caught up in {prepared.catch_up_seconds:.1f} s)",
                f"  count(*) of contacts_contact: median {run.count_median:.1f} ms"
                f" (min {min(run.count_ms):.1f}, max {max(run.count_ms):.1f}, {len(run.count_ms)}"
                " runs)",
                f"  {'page':44} {'median':>8} {'max':>8} {'÷count(*)':>10}   server ms",
            ]
            for page in run.pages:
                share = page.median / run.count_median
                lines.append(
                    f"  {page.label:44} {page.median:8.1f} {page.worst:8.1f} {share:10.3f}"
                )
        lines += self._verdicts()
        for failure in self.failures:
            lines.append(f"  FAILED: {failure}")
        return lines

    def _verdicts(self) -> list[str]:
        if not self.runs:
            return ["  no size was run"]
        largest = max(self.runs, key=lambda run: run.size)
        smallest = min(self.runs, key=lambda run: run.size)
        slowest = max(largest.pages, key=lambda page: page.median)
        share = slowest.median / largest.count_median
        lines = [
            f"  at {largest.size:,}: slowest page {slowest.label!r}: median {slowest.median:.1f} ms"
            f" (target ≤ {LIMIT_MS:.0f} ms: {'MET' if slowest.median <= LIMIT_MS else 'NOT MET'});"
            f" {share:.3f} × count(*) (target ≤ {LIMIT_SHARE_OF_COUNT}:"
            f" {'MET' if share <= LIMIT_SHARE_OF_COUNT else 'NOT MET'})",
        ]
        if largest is not smallest:
            before = {page.label: page.median for page in smallest.pages}
            growth = {
                page.label: page.median / before[page.label]
                for page in largest.pages
                if before.get(page.label)
            }
            label = max(growth, key=growth.get)
            worst = growth[label]
            lines.append(
                f"  t({largest.size:,}) / t({smallest.size:,}): largest {worst:.2f} ({label!r}),"
                f" median over pages {statistics.median(growth.values()):.2f}"
                f" (target ≤ {LIMIT_GROWTH:.0f}: {'MET' if worst <= LIMIT_GROWTH else 'NOT MET'})"
            )
        return lines


def run(server: Server, plan: Plan) -> Report:
    """``server`` (on the bench's own database) is not used: each size gets its own."""
    print(f"{NAME}: {TITLE}", flush=True)
    report = Report()
    for size in plan.demand_sizes:
        print(f"  {size:,} contacts: preparing the database…", flush=True)
        prepared = prepare(size)
        counted = count_contacts_ms(prepared.url)
        timings = []
        with running_server(1, env={"DATABASE_URL": prepared.url}) as own:
            client = _signed_in(own)
            try:
                for label, path in pages(prepared.history_end):
                    timings.append(time_page(client, label, path))
                    print(f"    {label:44} {timings[-1].median:8.1f} ms", flush=True)
            finally:
                client.close()
        counted += count_contacts_ms(prepared.url)
        report.runs.append(SizeRun(size, prepared, counted, timings))
    sys.stdout.flush()
    return report
