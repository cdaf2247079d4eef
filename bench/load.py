"""Load generation with wrk (C, epoll): it must not be what limits the figures.

One wrk thread at a few thousand requests a second uses a few per cent of a
core, which leaves this 2-core machine to the server and PostgreSQL. The body
is fixed per run (set once in post.lua), so wrk runs no Lua per request, unless
each request needs its own Idempotency-Key (``key_prefix``): then post.lua runs
one counter increment and one ``wrk.format`` per request.

wrk is closed-loop (a connection sends its next request when the last answer
arrives), so it measures capacity; latency at a fixed rate comes from
bench/rate.py.
"""

import json
import os
import shutil
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("post.lua")
RESULT_PREFIX = "BENCH_RESULT "
# wrk stops itself after its duration; this only catches a hung wrk.
GRACE_SECONDS = 30
REQUEST_TIMEOUT = "5s"


class LoadError(RuntimeError):
    pass


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: dict[str, int]

    @property
    def rate(self) -> float:
        """Requests a second (wrk counts only completed responses)."""
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        """Socket errors, timeouts and responses with a status of 400 or more."""
        return sum(self.errors.values())

    def line(self) -> str:
        text = f"{self.rate:7,.0f} req/s  p50 {self.p50_ms:6.2f} ms  p99 {self.p99_ms:6.2f} ms"
        if self.error_count:
            text += f"  ERRORS {self.error_count} {self.errors}"
        return text


def wrk_executable() -> str | None:
    return shutil.which("wrk")


def wrk_version() -> str:
    executable = wrk_executable()
    if not executable:
        return "not installed"
    completed = subprocess.run(
        [executable, "-v"], capture_output=True, text=True, timeout=10, check=False
    )
    first = (completed.stdout or completed.stderr).splitlines()
    return first[0].split(" Copyright")[0] if first else "unknown"


def post_load(
    url: str,
    body: str,
    *,
    seconds: int,
    connections: int,
    threads: int,
    headers: dict[str, str] | None = None,
    key_prefix: str | None = None,
) -> LoadResult:
    """POST ``body`` to ``url`` for ``seconds`` from ``connections`` keep-alive connections.

    ``headers`` are sent with every request. With ``key_prefix``, every request
    carries its own ``Idempotency-Key: PREFIX-THREAD-N`` (unique if the prefix is).
    """
    executable = wrk_executable()
    if not executable:
        raise LoadError("wrk is not installed (make system-packages installs it)")
    if not url.startswith("http://127.0.0.1:"):
        raise LoadError("load is only ever sent to the loopback address")
    command = [
        executable,
        "--threads",
        str(threads),
        "--connections",
        str(connections),
        "--duration",
        f"{seconds}s",
        "--timeout",
        REQUEST_TIMEOUT,
        "--script",
        str(SCRIPT),
        url,
    ]
    try:
        completed = subprocess.run(
            command,
            env={
                **os.environ,
                "BENCH_BODY": body,
                "BENCH_HEADERS": "\n".join(f"{k}: {v}" for k, v in (headers or {}).items()),
                "BENCH_KEY_PREFIX": key_prefix or "",
            },
            capture_output=True,
            text=True,
            timeout=seconds + GRACE_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise LoadError(f"wrk did not finish within {seconds + GRACE_SECONDS} s") from error
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            raw = json.loads(line.removeprefix(RESULT_PREFIX))
            return LoadResult(
                requests=raw["requests"],
                seconds=raw["duration_us"] / 1e6,
                p50_ms=raw["p50_us"] / 1e3,
                p99_ms=raw["p99_us"] / 1e3,
                max_ms=raw["max_us"] / 1e3,
                errors={
                    name: raw[name]
                    for name in ("connect", "read", "write", "status", "timeout")
                    if raw[name]
                },
            )
    raise LoadError(
        f"wrk exited with status {completed.returncode} and no result: "
        f"{(completed.stderr or completed.stdout).strip()[:500]}"
    )


def rounds_line(label: str, results: list[LoadResult]) -> str:
    """One endpoint over a run's rounds: median req/s and its range, median p50 and p99."""
    rates = [result.rate for result in results]
    return (
        f"  {label:<10} median {statistics.median(rates):7,.0f} req/s "
        f"(rounds {min(rates):,.0f}–{max(rates):,.0f}), "
        f"p50 {statistics.median(r.p50_ms for r in results):.2f} ms, "
        f"p99 {statistics.median(r.p99_ms for r in results):.2f} ms (medians of rounds)"
    )
