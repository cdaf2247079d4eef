"""bench/'s load generators against a small local server: what they send and what they count.

No timing is asserted beyond what a stall guarantees (a lower bound): the
figures themselves belong to `make bench`.
"""

import http.server
import threading
import time
from collections.abc import Iterator

import pytest
from django.db import connection

from bench import api_intake
from bench.load import post_load, wrk_executable
from bench.plan import Ratios
from bench.rate import REQUEST_TIMEOUT, constant_rate_load, percentile


class Recorder:
    def __init__(self) -> None:
        self.keys: list[str | None] = []
        self.authorizations: set[str | None] = set()
        self.status = 201
        self.stall_once = 0.0  # seconds the next request waits before its answer
        self.lock = threading.Lock()


def _handler(recorder: Recorder) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as granian

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with recorder.lock:
                recorder.keys.append(self.headers.get("Idempotency-Key"))
                recorder.authorizations.add(self.headers.get("Authorization"))
                stall, recorder.stall_once = recorder.stall_once, 0.0
            if stall:
                time.sleep(stall)
            body = b'{"ok": true}'
            self.send_response(recorder.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    return Handler


@pytest.fixture
def server() -> Iterator[tuple[int, Recorder]]:
    recorder = Recorder()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(recorder))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1], recorder
    httpd.shutdown()
    httpd.server_close()


HEADERS = {"Authorization": "Bearer cairn_test_key"}
KEYED = api_intake.Variant("api+key", "/api/v1/contacts", keyed=True)
UNKEYED = api_intake.Variant("api", "/api/v1/contacts", keyed=False)


def test_the_timetable_is_kept_every_due_request_is_sent_and_counted(server):
    port, recorder = server
    make = api_intake._request_maker(UNKEYED, HEADERS, "unused-")
    result = constant_rate_load(
        "127.0.0.1", port, make, rate=100, warmup=0.2, seconds=1, max_connections=8, preopen=4
    )
    assert result.scheduled == 100
    assert result.answered + result.timeouts + result.error_count == result.scheduled
    assert result.errors == {}
    assert len(recorder.keys) == 120  # the warm-up's 20 are sent too, not counted
    assert recorder.authorizations == {"Bearer cairn_test_key"}


def test_latency_runs_from_the_due_time_so_a_stall_is_charged_to_the_requests_behind_it(server):
    port, recorder = server
    recorder.stall_once = 0.3
    make = api_intake._request_maker(UNKEYED, HEADERS, "unused-")
    # One connection: the requests due during the stall wait in the queue.
    result = constant_rate_load(
        "127.0.0.1", port, make, rate=50, warmup=0, seconds=1, max_connections=1, preopen=1
    )
    assert result.max_ms >= 300
    assert result.p99_ms >= 200  # a closed-loop tool would count one slow request only


def test_every_keyed_request_gets_its_own_idempotency_key(server):
    port, recorder = server
    make = api_intake._request_maker(KEYED, HEADERS, "bench-run-b1-")
    constant_rate_load(
        "127.0.0.1", port, make, rate=200, warmup=0, seconds=0.5, max_connections=8, preopen=4
    )
    assert len(recorder.keys) == 100
    assert len(set(recorder.keys)) == 100
    assert all(key.startswith("bench-run-b1-") for key in recorder.keys)


def test_error_answers_are_errors_not_latencies(server):
    port, recorder = server
    recorder.status = 500
    make = api_intake._request_maker(UNKEYED, HEADERS, "unused-")
    result = constant_rate_load(
        "127.0.0.1", port, make, rate=100, warmup=0, seconds=0.3, max_connections=4, preopen=2
    )
    assert result.errors == {"status 500": 30}
    assert result.answered == 0


def test_nothing_is_sent_anywhere_but_loopback():
    with pytest.raises(Exception, match="loopback"):
        constant_rate_load("10.0.0.1", 80, lambda index: b"", rate=1, warmup=0, seconds=1)


@pytest.mark.skipif(not wrk_executable(), reason="wrk is not installed")
def test_wrk_gives_every_request_its_own_key_and_sends_the_headers(server):
    port, recorder = server
    result = post_load(
        f"http://127.0.0.1:{port}/api/v1/contacts",
        "{}",
        seconds=1,
        connections=4,
        threads=2,
        headers=HEADERS,
        key_prefix="bench-run-a1-measured",
    )
    assert result.requests > 0
    keys = [key for key in recorder.keys if key is not None]
    assert len(keys) == len(recorder.keys)
    assert len(set(keys)) == len(keys)
    assert recorder.authorizations == {"Bearer cairn_test_key"}


def test_percentile_is_nearest_rank():
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.99) == 99
    assert percentile([], 0.99) == 0
    assert REQUEST_TIMEOUT > 0


def test_a_latency_spread_limit_of_its_own():
    ratios = Ratios((1.0, 1.3, 1.1, 1.2, 1.0))
    assert ratios.verdict().startswith("INCONCLUSIVE")  # 27 % > 20 %
    assert ratios.verdict(0.5).startswith("OK")


@pytest.mark.django_db(transaction=True)
def test_the_reference_reset_refuses_any_database_but_the_bench_one():
    # The reset empties the contacts table: only ever on var/pgbench, never here.
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value, is_called FROM contacts_reference_seq")
        last_value, is_called = cursor.fetchone()
        cursor.execute("SELECT setval('contacts_reference_seq', %s)", [90_000])
    try:
        with pytest.raises(api_intake.PreflightError, match="not the bench database"):
            api_intake._keep_references_unique()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval('contacts_reference_seq', %s, %s)", [last_value, is_called]
            )
