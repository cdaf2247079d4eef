"""Where an API intake request spends its time, and how many queries it makes.

    CAIRN_PG_DATA=var/pgbench .venv/bin/python -m bench.profile_intake [--requests N]
        [--timing ROUNDS] [--no-profile]

Runs the requests in this process through Django's WSGI handler (the object
granian calls), one at a time: no server, no concurrency, so it is a quick
and fairly quiet check of a change, not the benchmark.

1. ``--timing`` rounds of N requests each to the reference, the floor (the
   API's statement alone, see api_intake.py) and ``POST /api/v1/contacts``
   without and with an Idempotency-Key, interleaved:
   wall µs per request, and the CPU µs spent in this process and in the
   PostgreSQL backend serving it (from /proc).
2. The SQL one API request sends (Django's CaptureQueriesContext; Django also
   logs the BEGIN and COMMIT that psycopg sends itself).
3. cProfile over N requests of each API variant, by own and by total time.

Uses the embedded PostgreSQL in CAIRN_PG_DATA (var/pgbench: the bench's own,
which may be emptied of contacts, see api_intake.py) or DATABASE_URL; it
migrates it and loads the demo data (for the API key) first. The server stays
up afterwards, as after any embedded-database use; `make bench` stops it.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
import uuid
from collections.abc import Callable


def _environ(path: str, body: bytes, headers: dict[str, str]) -> dict:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def _caller(application, path: str, body: bytes, headers: dict[str, str], keyed: bool) -> Callable:
    def call() -> int:
        extra = {"Idempotency-Key": uuid.uuid4().hex} if keyed else {}
        statuses = []
        chunks = application(
            _environ(path, body, {**headers, **extra}),
            lambda status, _headers, *_: statuses.append(status),
        )
        b"".join(chunks)
        chunks.close()
        return int(statuses[0].split()[0])

    return call


def _backend_cpu_seconds(pid: int) -> float:
    """CPU time the PostgreSQL backend serving this process has used (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_intake")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--path", default="/api/v1/contacts")
    parser.add_argument("--timing", type=int, default=3, help="rounds of timing (0: none)")
    parser.add_argument("--no-profile", action="store_true")
    arguments = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
    os.environ["CAIRN_BENCH"] = "1"  # for /bench/reference in the timing
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.api_intake import BODY, _keep_references_unique
    from cairn.demo.data import DEMO_API_KEY, load_demo_data

    call_command("migrate", verbosity=0)
    load_demo_data()
    _keep_references_unique()
    application = get_wsgi_application()
    headers = {"Authorization": f"Bearer {DEMO_API_KEY}"}
    body = BODY.encode()

    callers = {
        "reference": _caller(application, "/bench/reference", body, headers, False),
        "floor": _caller(application, "/bench/intake-floor", body, headers, False),
        "api": _caller(application, arguments.path, body, headers, False),
        "api+key": _caller(application, arguments.path, body, headers, True),
    }
    for call in callers.values():
        for _ in range(50):  # warm: imports, caches, the connection
            assert call() == 201
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    timings: dict[str, list[float]] = {name: [] for name in callers}
    cpu: dict[str, list[float]] = {name: [] for name in callers}
    database_cpu: dict[str, list[float]] = {name: [] for name in callers}
    for number in range(arguments.timing):
        order = list(callers) if number % 2 == 0 else list(reversed(callers))
        for name in order:
            started, started_cpu = time.perf_counter(), time.process_time()
            started_database = _backend_cpu_seconds(backend)
            for _ in range(arguments.requests):
                callers[name]()
            per_request = 1e6 / arguments.requests
            timings[name].append((time.perf_counter() - started) * per_request)
            cpu[name].append((time.process_time() - started_cpu) * per_request)
            database_cpu[name].append(
                (_backend_cpu_seconds(backend) - started_database) * per_request
            )
    for name, values in timings.items():
        if values:
            best = min(values)
            print(
                f"{name:<10} {best:6.0f} µs/request; CPU: {min(cpu[name]):4.0f} µs here, "
                f"{min(database_cpu[name]):4.0f} µs in PostgreSQL (best of {len(values)} rounds "
                f"of {arguments.requests}: " + " ".join(f"{v:.0f}" for v in values) + ")"
            )
    if arguments.no_profile:
        return 0

    for keyed in (False, True):
        call = callers["api+key" if keyed else "api"]
        with CaptureQueriesContext(connection) as queries:
            status = call()
        label = "with Idempotency-Key" if keyed else "without Idempotency-Key"
        print(f"== {label}: status {status}, {len(queries)} queries (+ BEGIN/COMMIT)")
        for query in queries.captured_queries:
            print(f"   {query['time']}s  {query['sql'][:150]}")
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(arguments.requests):
            call()
        profiler.disable()
        elapsed = time.perf_counter() - started
        print(
            f"   {arguments.requests} requests in {elapsed:.2f} s under cProfile: "
            f"{elapsed / arguments.requests * 1e6:.0f} µs each (profiling inflates this)"
        )
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(arguments.top)
        stats.sort_stats("cumulative").print_stats(arguments.top)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
