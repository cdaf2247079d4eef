"""Open-loop load at a constant rate, for latency without coordinated omission.

wrk is closed-loop: a connection sends its next request only when the last
answer has arrived, so when the server stalls the load stalls with it, and
the requests that would have waited are never sent nor counted ("coordinated
omission"). That measures capacity, not the latency someone sees at a given
rate. Debian 12 packages no open-loop HTTP load generator (wrk2, vegeta and oha
are not packaged; h2load's ``--rate`` opens connections at a rate, siege is
closed-loop), hence this module.

How it works: request *i* is due at ``start + i / rate``, a fixed timetable.
When it is due it goes out on an idle keep-alive connection, or on a new one
(up to ``max_connections``), or, with every connection busy, it waits in a
queue for the first one to free up. Its latency is counted from when it was
*due*, not from when it left, so a 100 ms stall shows as up to 100 ms on every
request due during it, as a user would see it.

The scheduler wakes at the event loop's timer resolution (about 1 ms on
Linux) and sends every request that has come due; ``late`` (how long after
its due time a request actually left) is reported so the reader can see that
the generator, not the server, kept the timetable. HTTP/1.1 only, one request
in flight per connection, loopback only, bounded in time.
"""

import asyncio
import concurrent.futures
import gc
import math
import os
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

PRIORITY = -10  # niceness while the generator runs (see _raise_priority)
REQUEST_TIMEOUT = 5.0  # seconds; a request not answered by then is a timeout
GRACE_SECONDS = REQUEST_TIMEOUT + 1.0  # after the last due time, for the stragglers


class RateError(RuntimeError):
    pass


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of already sorted values (0 when there are none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass(frozen=True)
class RateResult:
    target_rate: float  # requests a second asked for
    seconds: float  # length of the measured window
    scheduled: int  # requests due in the measured window
    answered: int  # of those, answered with a status below 400 within the timeout
    timeouts: int  # of those, not answered within REQUEST_TIMEOUT (counted at that latency)
    p50_ms: float  # latency from the due time to the last byte of the answer
    p99_ms: float
    max_ms: float
    late_p99_ms: float  # how long after its due time the scheduler handed a request over
    connections: int  # connections opened in all
    errors: dict[str, int]  # failures other than timeouts: these make a run invalid

    @property
    def rate(self) -> float:
        """Achieved rate: answered requests a second over the measured window."""
        return self.answered / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def line(self) -> str:
        text = (
            f"{self.rate:7,.0f} req/s (target {self.target_rate:,.0f})  "
            f"p50 {self.p50_ms:6.2f} ms  p99 {self.p99_ms:6.2f} ms  max {self.max_ms:6.1f} ms  "
            f"late p99 {self.late_p99_ms:.2f} ms"
        )
        if self.timeouts:
            text += f"  TIMEOUTS {self.timeouts}"
        if self.error_count:
            text += f"  ERRORS {self.error_count} {self.errors}"
        return text


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection: one request in flight at a time."""

    def __init__(self, run: "_Run") -> None:
        self.run = run
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.due = 0.0  # due time of the request in flight
        self.measured = False
        self.busy = False  # a request is in flight

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def send(self, request: bytes, due: float, measured: bool) -> None:
        self.due, self.measured, self.busy = due, measured, True
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).lower()
        status = int(head[9:12])
        length_at = head.find(b"\r\ncontent-length:")
        if length_at >= 0:
            line_end = head.find(b"\r\n", length_at + 2)
            length = int(head[length_at + 17 : line_end if line_end > 0 else None])
            if len(self.buffer) < end + 4 + length:
                return
        elif b"transfer-encoding: chunked" in head:
            if not self.buffer.endswith(b"0\r\n\r\n"):
                return
        else:
            self.run.fail(self, "unframed response")
            return
        self.buffer.clear()
        self.busy = False
        keep = b"connection: close" not in head
        self.run.answered(self, status, keep)

    def connection_lost(self, exc: Exception | None) -> None:
        self.run.lost(self)


class _Run:
    """The timetable, the pool of connections and the figures of one run."""

    def __init__(
        self,
        host: str,
        port: int,
        make_request: Callable[[int], bytes],
        rate: float,
        warmup: float,
        seconds: float,
        max_connections: int,
    ) -> None:
        self.loop = asyncio.get_running_loop()
        self.host, self.port = host, port
        self.make_request = make_request
        self.interval = 1.0 / rate
        self.rate = rate
        self.warmup_count = round(warmup * rate)
        self.measured_count = round(seconds * rate)
        self.seconds = seconds
        self.max_connections = max_connections
        self.connections: set[_Connection] = set()
        self.idle: deque[_Connection] = deque()
        self.queue: deque[tuple[int, float]] = deque()  # (index, due) waiting for a connection
        self.open = 0  # connected or connecting
        self.opened = 0
        self.in_flight = 0
        self.latencies: list[float] = []
        self.late: list[float] = []
        self.timeouts = 0
        self.errors: dict[str, int] = {}
        self.start = 0.0

    def _is_measured(self, index: int) -> bool:
        return index >= self.warmup_count

    def _error(self, kind: str, measured: bool) -> None:
        if measured:
            self.errors[kind] = self.errors.get(kind, 0) + 1

    async def _connect(self) -> None:
        self.open += 1
        self.opened += 1
        try:
            _transport, connection = await self.loop.create_connection(
                lambda: _Connection(self), self.host, self.port
            )
        except OSError:
            self.open -= 1
            if self.queue:  # nothing else will take the waiting request: fail it
                index, _due = self.queue.popleft()
                self.in_flight -= 1
                self._error("connect", self._is_measured(index))
            return
        self.connections.add(connection)
        self._ready(connection)

    def _ready(self, connection: _Connection) -> None:
        """A connection is free: give it the oldest waiting request, or park it."""
        if self.queue:
            index, due = self.queue.popleft()
            self._send(connection, index, due)
        else:
            self.idle.append(connection)

    def _send(self, connection: _Connection, index: int, due: float) -> None:
        connection.send(self.make_request(index), due, self._is_measured(index))

    def dispatch(self, index: int, due: float) -> None:
        """Request ``index`` is due: send it now, or queue it when every connection is busy."""
        self.in_flight += 1
        if self._is_measured(index):
            self.late.append(self.loop.time() - due)
        if self.idle:
            self._send(self.idle.popleft(), index, due)
            return
        self.queue.append((index, due))
        if self.open < self.max_connections:
            self.loop.create_task(self._connect())

    def answered(self, connection: _Connection, status: int, keep: bool) -> None:
        self.in_flight -= 1
        latency = self.loop.time() - connection.due
        if status >= 400:
            self._error(f"status {status}", connection.measured)
        elif not connection.measured:
            pass
        elif latency > REQUEST_TIMEOUT:
            self.timeouts += 1
        else:
            self.latencies.append(latency)
        if keep:
            self._ready(connection)
        else:
            connection.transport.close()

    def fail(self, connection: _Connection, kind: str) -> None:
        """An answer that cannot be read: count it, drop the connection."""
        connection.busy = False
        self.in_flight -= 1
        self._error(kind, connection.measured)
        connection.transport.close()

    def lost(self, connection: _Connection) -> None:
        self.open -= 1
        self.connections.discard(connection)
        if connection.busy:  # closed with a request in flight
            connection.busy = False
            self.in_flight -= 1
            self._error("read", connection.measured)
        elif connection in self.idle:
            self.idle.remove(connection)
        if self.queue and self.open < self.max_connections:
            self.loop.create_task(self._connect())

    async def go(self, preopen: int) -> RateResult:
        await asyncio.gather(*(self._connect() for _ in range(min(preopen, self.max_connections))))
        if not self.idle:
            raise RateError(f"could not connect to {self.host}:{self.port}")
        total = self.warmup_count + self.measured_count
        self.start = self.loop.time() + 0.01
        index = 0
        while index < total:
            now = self.loop.time()
            due = self.start + index * self.interval
            if due > now:
                await asyncio.sleep(due - now)
                continue
            while index < total and due <= now:
                self.dispatch(index, due)
                index += 1
                due = self.start + index * self.interval
        deadline = self.loop.time() + GRACE_SECONDS
        while self.in_flight and self.loop.time() < deadline:
            await asyncio.sleep(0.01)
        return self._result()

    def _result(self) -> RateResult:
        # Whatever is still unanswered after the grace period timed out too.
        answered = len(self.latencies)
        self.timeouts += max(
            0, self.measured_count - answered - self.timeouts - sum(self.errors.values())
        )
        # A timed-out request counts at the timeout: it is in the tail, not left out.
        latencies = sorted(self.latencies + [REQUEST_TIMEOUT] * self.timeouts)
        late = sorted(self.late)
        return RateResult(
            target_rate=self.rate,
            seconds=self.seconds,
            scheduled=self.measured_count,
            answered=answered,
            timeouts=self.timeouts,
            p50_ms=percentile(latencies, 0.50) * 1e3,
            p99_ms=percentile(latencies, 0.99) * 1e3,
            max_ms=(latencies[-1] if latencies else 0.0) * 1e3,
            late_p99_ms=percentile(late, 0.99) * 1e3,
            connections=self.opened,
            errors=dict(self.errors),
        )

    def close(self) -> None:
        """Close every connection, busy ones too: nothing of this run outlives it."""
        for connection in list(self.connections):
            connection.transport.close()


def constant_rate_load(
    host: str,
    port: int,
    make_request: Callable[[int], bytes],
    *,
    rate: float,
    warmup: float,
    seconds: float,
    max_connections: int = 64,
    preopen: int = 16,
) -> RateResult:
    """Send ``make_request(i)`` at ``rate`` a second: ``warmup`` s discarded, then ``seconds``.

    ``make_request(i)`` returns the full HTTP/1.1 request bytes for request
    number ``i`` (keep-alive; the same bytes, or each with its own
    Idempotency-Key).
    """
    if host != "127.0.0.1":
        raise RateError("load is only ever sent to the loopback address")
    if rate <= 0:
        raise RateError("the rate must be positive")

    async def main() -> RateResult:
        run = _Run(host, port, make_request, rate, warmup, seconds, max_connections)
        try:
            return await run.go(preopen)
        finally:
            run.close()

    # The bench process holds all of Django; a full garbage collection in the
    # middle of a run would stall the generator and show as server latency.
    gc.collect()
    gc.disable()
    niceness = _raise_priority()
    try:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(main())
        # Called from a thread that already runs an event loop (Playwright's, in
        # the test suite): give the generator a loop of its own on another thread.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, main()).result()
    finally:
        gc.enable()
        if niceness is not None:
            os.setpriority(os.PRIO_PROCESS, 0, niceness)


def _raise_priority() -> int | None:
    """Run ahead of the server's threads when a request falls due; returns the old niceness.

    The generator needs ~10 % of a core at 1,500 req/s, but needs it on time:
    on a 2-core machine whose cores the server keeps busy, it would otherwise
    wait its turn and send late (``late`` shows it). Needs root or
    CAP_SYS_NICE; without them the run goes on at normal priority.
    """
    old = os.getpriority(os.PRIO_PROCESS, 0)
    try:
        os.setpriority(os.PRIO_PROCESS, 0, PRIORITY)
    except OSError:
        return None
    return old


def http_request(path: str, body: bytes, headers: dict[str, str]) -> tuple[bytes, bytes]:
    """A keep-alive POST, split where a per-request header can go: (head, rest).

    ``head + b"Idempotency-Key: KEY\\r\\n" + rest`` is a complete request; so is
    ``head + rest``.
    """
    lines = [
        f"POST {path} HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n").encode(), b"\r\n" + body
