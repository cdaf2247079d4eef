"""The live queue: SSE fan-out to 50 handlers, and the queue page with 500 waiting contacts.

A. Fan-out. The live service (cairn/live/, granian ASGI, exactly as `make run`
   starts it) listens on the bench database; 50 SSE clients (raw asyncio
   sockets) hold streams open; 200 contacts go through the real intake
   (``receive_contact``: one statement, committed when it returns), one every
   50 ms. Latency of a delivery = its arrival at a client − the moment the
   committing call started (an upper bound on commit → arrival: it includes the
   INSERT itself). Target: p99 ≤ 1 s over all 10,000 deliveries, none missing.

B. The queue page. 500 waiting contacts (every 5th with a raised cue, every
   10th claimed; cues then raised on all, as the worker does within a
   minute of arrival), the demo advisor signed in through the real two-step sign-in,
   then GET /staff/queue/ one request at a time on a keep-alive connection:
   5 warm-up, 50 measured. Target: median and p99 < 100 ms.

C. What one event costs the main app: every open queue page fetches the table
   (GET /staff/queue/table/) when an event arrives, so 50 handlers mean 50 of
   those at once. Five bursts of 50 concurrent requests: the time until the
   last answer, and each request's latency. No target; it is what decides
   how soon a new contact is on every screen, after the fan-out above.

Part B empties the queue before it loads its contacts (it closes every
waiting contact), so it runs only on the bench database (var/pgbench), or on
a database you declare disposable with CAIRN_BENCH_DISPOSABLE_DB=1.
"""

import asyncio
import json
import logging
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

import httpx

from bench.plan import Plan
from bench.preflight import disposable_database_refusal, signed_in_staff
from bench.server import Server
from cairn.launcher import ROOT

NAME = "queue_live"
TITLE = "Live queue: SSE fan-out to 50 handlers; GET /staff/queue/ with 500 waiting contacts"
CLIENTS = 50
INSERTS = 200
SPACING = 0.05  # seconds between inserts
FANOUT_P99_TARGET_MS = 1000.0
WAITING = 500
WARMUP_RENDERS = 5
RENDERS = 50
RENDER_TARGET_MS = 100.0
BURSTS = 5
LIVE_LOG = ROOT / "var" / "bench" / "live.log"
QUEUE, TABLE = "/staff/queue/", "/staff/queue/table/"


logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise


class PreflightError(RuntimeError):
    pass


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def _spread(values: list[float]) -> str:
    return (
        f"p50 {statistics.median(values):.1f} ms, p99 {_percentile(values, 0.99):.1f} ms, "
        f"max {max(values):.1f} ms"
    )


@dataclass
class Report:
    name: str = NAME
    error: str = ""
    latencies_ms: list[float] = field(default_factory=list)  # A: every delivery
    expected_deliveries: int = 0
    intake_ms: list[float] = field(default_factory=list)  # A: each committing call
    renders_ms: list[float] = field(default_factory=list)  # B
    rows_rendered: int = 0
    bursts: list[list[float]] = field(default_factory=list)  # C: each burst's latencies
    burst_failures: int = 0

    @property
    def missing(self) -> int:
        return self.expected_deliveries - len(self.latencies_ms)

    @property
    def valid(self) -> bool:
        return (
            not self.error
            and self.missing == 0
            and bool(self.renders_ms)
            and self.rows_rendered == WAITING
            and self.burst_failures == 0
        )

    def summary(self) -> list[str]:
        lines = [f"{self.name}: {TITLE}"]
        if self.error:
            return [*lines, f"  INVALID: {self.error}"]
        if self.latencies_ms:
            p99 = _percentile(self.latencies_ms, 0.99)
            met = "met" if p99 <= FANOUT_P99_TARGET_MS and not self.missing else "NOT MET"
            lines += [
                f"  A. fan-out: {CLIENTS} SSE clients, {INSERTS} contacts through receive_contact "
                f"one every {SPACING * 1000:.0f} ms; from the committing call's start to arrival",
                f"     {len(self.latencies_ms):,} of {self.expected_deliveries:,} deliveries, "
                f"{_spread(self.latencies_ms)}; target p99 ≤ {FANOUT_P99_TARGET_MS:.0f} ms {met}",
                f"     (the committing call itself: p50 "
                f"{statistics.median(self.intake_ms):.2f} ms)",
            ]
        if self.renders_ms:
            median, p99 = statistics.median(self.renders_ms), _percentile(self.renders_ms, 0.99)
            met = "met" if median < RENDER_TARGET_MS and p99 < RENDER_TARGET_MS else "NOT MET"
            lines += [
                f"  B. GET {QUEUE} with {self.rows_rendered} waiting contacts shown, signed in, "
                f"one at a time: {len(self.renders_ms)} renders, median {median:.1f} ms, "
                f"p99 {p99:.1f} ms, max {max(self.renders_ms):.1f} ms; "
                f"target < {RENDER_TARGET_MS:.0f} ms {met}"
            ]
        if self.bursts:
            totals = [max(burst) for burst in self.bursts]
            every = [ms for burst in self.bursts for ms in burst]
            lines.append(
                f"  C. {len(self.bursts)} bursts of {CLIENTS} concurrent GET {TABLE} (one event, "
                f"{CLIENTS} open pages): last answer after median {statistics.median(totals):.0f} "
                f"ms (bursts {', '.join(f'{t:.0f}' for t in totals)}); per request "
                f"{_spread(every)}; {self.burst_failures} failed"
            )
        return lines


# The bench database ------------------------------------------------------------------------


def _require_disposable_database() -> None:
    refusal = disposable_database_refusal("part B closes every waiting contact")
    if refusal:
        raise PreflightError(refusal)


def _advisor():
    from django.contrib.auth import get_user_model

    from cairn.demo.data import load_demo_data

    load_demo_data()  # idempotent
    return get_user_model().objects.get(username="advisor")


NARRATIVES = (
    "Someone has been trying car door handles along our street tonight.",
    "My neighbour's dog has been barking for hours and nobody answers the door.",
    "I was sent a threatening message by my ex-partner and I am frightened.",
    "A man is shouting outside the shop and he says he has a knife.",
    "My bike was stolen from the stair last night, the lock was cut.",
)


def _load_waiting_contacts(advisor) -> None:
    """Close every waiting contact, then receive WAITING new ones (some with cues, some claimed)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from cairn.audit.context import acting_as
    from cairn.contacts.models import Channel, Contact, Status
    from cairn.contacts.services import ContactSubmission, receive_contact
    from cairn.triage.models import Claim, Cue
    from cairn.triage.policy import current_policy
    from cairn.triage.services import raise_pending_cues

    cue_kinds = list(current_policy().cue_kinds)
    channels = [Channel.WEB_FORM, Channel.PHONE_101, Channel.EMAIL, Channel.PHONE_999]
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE contacts_contact SET status = %s WHERE status IN (%s, %s)",
            [Status.CLOSED, Status.RECEIVED, Status.IN_ASSESSMENT],
        )
    with acting_as("web"), transaction.atomic():
        for number in range(WAITING):
            receipt = receive_contact(
                ContactSubmission(
                    channel=channels[number % len(channels)],
                    narrative=NARRATIVES[number % len(NARRATIVES)],
                    category="crime.vehicle" if number % 3 else "",
                    reporter_name="Bench Person",
                    received_at=now - timedelta(seconds=30 * (WAITING - number)),
                )
            )
            if number % 5 == 0:
                Cue.objects.create(
                    contact_id=receipt.contact_id,
                    kind=cue_kinds[number % len(cue_kinds)],
                    source="narrative",
                    evidence="bench",
                    raised_at=now,
                )
            if number % 10 == 0:
                Claim.objects.create(contact_id=receipt.contact_id, handler=advisor, claimed_at=now)
                Contact.objects.filter(pk=receipt.contact_id).update(status=Status.IN_ASSESSMENT)
    # What the worker's sweep does within a minute of their arrival: otherwise
    # the measured renders would each raise cues on 25 of them first.
    with acting_as("task"):
        raise_pending_cues(limit=WAITING)
    connection.close()


# A. Fan-out --------------------------------------------------------------------------------


async def _sse_client(host: str, port: int, path: str, origin: str, arrivals: list) -> None:
    """One handler's stream: record (contact id, arrival) for every queue event."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
            f"Origin: {origin}\r\n\r\n".encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 200 " not in head.split(b"\r\n", 1)[0]:
            raise PreflightError(f"the live service answered {head.splitlines()[0]!r}")
        chunked = b"transfer-encoding: chunked" in head.lower()
        buffer = b""
        while True:
            if chunked:
                size = int((await reader.readline()).strip() or b"0", 16)
                if size == 0:
                    return
                data = (await reader.readexactly(size + 2))[:-2]
            else:
                data = await reader.read(65536)
                if not data:
                    return
            arrived = time.monotonic()
            buffer += data
            while b"\n\n" in buffer:
                message, buffer = buffer.split(b"\n\n", 1)
                if message.startswith(b"event: queue\n"):
                    data_line = message.split(b"\ndata: ", 1)[1]
                    arrivals.append((json.loads(data_line)["contact"], arrived))
    finally:
        writer.close()


def _receive_one(number: int) -> tuple[int, float, float]:
    """One contact through the real intake: (id, when the call started, when it returned)."""
    from cairn.audit.context import acting_as
    from cairn.contacts.services import ContactSubmission, receive_contact

    submission = ContactSubmission(
        channel="web_form", narrative=NARRATIVES[number % len(NARRATIVES)]
    )
    with acting_as("web"):
        started = time.monotonic()
        receipt = receive_contact(submission)  # one statement, autocommit: committed on return
        returned = time.monotonic()
    return receipt.contact_id, started, returned


async def _fan_out(live_url: str, origin: str, user_id: int, report: Report) -> None:
    from cairn.live.process import health
    from cairn.live.tokens import make_token

    host, port = live_url.removeprefix("http://").split(":")
    path = f"/events?token={make_token(user_id)}"
    arrivals: list[list[tuple[int, float]]] = [[] for _ in range(CLIENTS)]
    clients = [
        asyncio.create_task(_sse_client(host, int(port), path, origin, arrivals[n]))
        for n in range(CLIENTS)
    ]
    loop = asyncio.get_running_loop()
    deadline = time.monotonic() + 10
    while (await loop.run_in_executor(None, health, live_url) or {}).get("streams") != CLIENTS:
        if time.monotonic() > deadline or any(c.done() for c in clients):
            for client in clients:
                if client.done() and client.exception():
                    raise client.exception()
            raise PreflightError(f"{CLIENTS} streams did not open within 10 s")
        await asyncio.sleep(0.05)

    started_at: dict[int, float] = {}
    intake = ThreadPoolExecutor(
        1, thread_name_prefix="intake"
    )  # Django: one connection, one thread
    try:
        begin = time.monotonic()
        for number in range(INSERTS):
            await asyncio.sleep(max(0.0, begin + number * SPACING - time.monotonic()))
            contact_id, started, returned = await loop.run_in_executor(intake, _receive_one, number)
            started_at[contact_id] = started
            report.intake_ms.append((returned - started) * 1000)
        await asyncio.sleep(2.0)  # stragglers
        await loop.run_in_executor(intake, _close_connection)
    finally:
        intake.shutdown()
        for client in clients:
            client.cancel()
        await asyncio.gather(*clients, return_exceptions=True)
    report.expected_deliveries = CLIENTS * INSERTS
    for client_arrivals in arrivals:
        for contact_id, arrived in client_arrivals:
            if contact_id in started_at:
                report.latencies_ms.append((arrived - started_at[contact_id]) * 1000)


def _close_connection() -> None:
    from django.db import connection

    connection.close()


# B and C. The page -------------------------------------------------------------------------


def _signed_in_client(server: Server) -> httpx.Client:
    """The demo advisor through the real sign-in: password, then the authenticator code."""
    client = signed_in_staff(server, "advisor", QUEUE)
    if client is None:
        raise PreflightError("the demo advisor could not sign in (see var/bench/server.log)")
    return client


def _renders(client: httpx.Client, report: Report) -> None:
    first = client.get(QUEUE)
    report.rows_rendered = first.text.count("<tr data-contact=")
    for number in range(WARMUP_RENDERS + RENDERS):
        started = time.perf_counter()
        response = client.get(QUEUE)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise PreflightError(f"GET {QUEUE} answered {response.status_code}")
        if number >= WARMUP_RENDERS:
            report.renders_ms.append(elapsed)


async def _burst(base_url: str, cookies: httpx.Cookies) -> tuple[list[float], int]:
    limits = httpx.Limits(max_connections=CLIENTS)
    async with httpx.AsyncClient(
        base_url=base_url, cookies=cookies, limits=limits, timeout=30
    ) as client:
        await asyncio.gather(*(client.get("/healthz") for _ in range(CLIENTS)))  # connections up
        started = time.perf_counter()

        async def one() -> tuple[float, int]:
            response = await client.get(TABLE)
            return (time.perf_counter() - started) * 1000, response.status_code

        results = await asyncio.gather(*(one() for _ in range(CLIENTS)))
    return [ms for ms, _ in results], sum(1 for _, status in results if status != 200)


# The benchmark -----------------------------------------------------------------------------


def _run_async(coroutine):
    """asyncio.run, on a thread of its own if this one already runs a loop (Playwright's)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def run(server: Server, plan: Plan) -> Report:
    from django.conf import settings

    from cairn.live.process import LiveServiceError, running_live_service

    print(f"{NAME}: {TITLE}", flush=True)
    report = Report()
    try:
        _require_disposable_database()
        advisor = _advisor()
        LIVE_LOG.parent.mkdir(parents=True, exist_ok=True)
        with running_live_service(
            conninfo=settings.CAIRN_LIVE_DATABASE_URL,
            allowed_origins=[server.base_url],
            log=LIVE_LOG,
        ) as live_url:
            print(f"  A. fan-out: live service at {live_url} (log: {LIVE_LOG})", flush=True)
            _run_async(_fan_out(live_url, server.base_url, advisor.pk, report))
        print(f"  B. loading {WAITING} waiting contacts", flush=True)
        _load_waiting_contacts(advisor)
        client = _signed_in_client(server)
        try:
            _renders(client, report)
            print(f"  C. {BURSTS} bursts of {CLIENTS} concurrent table fetches", flush=True)
            for _ in range(BURSTS):
                latencies, failures = _run_async(_burst(server.base_url, client.cookies))
                report.bursts.append(latencies)
                report.burst_failures += failures
                server.settle()
        finally:
            client.close()
    except (PreflightError, LiveServiceError, httpx.HTTPError, OSError) as error:
        report.error = str(error) or type(error).__name__
    for line in report.summary()[1:]:
        print(line, flush=True)
    return report
