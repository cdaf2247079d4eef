"""The server under test: granian, exactly as `make run` starts it, with CAIRN_BENCH=1."""

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cairn.launcher import ROOT, web_server_command

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
SETTLE_TIMEOUT = 30.0
# The server's own output goes here, not to the terminal: a failing run can log
# thousands of tracebacks, which would bury the figures.
LOG_PATH = ROOT / "var" / "bench" / "server.log"


class ServerError(RuntimeError):
    pass


@dataclass(frozen=True)
class Server:
    base_url: str
    command: tuple[str, ...]
    workers: int
    log_path: Path

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def host_and_port(self) -> tuple[str, int]:
        host, _, port = self.base_url.removeprefix("http://").partition(":")
        return host, int(port)

    def post(
        self, path: str, body: bytes, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        """One JSON POST, for checking an endpoint before loading it: (status, body)."""
        request = urllib.request.Request(
            self.url(path),
            data=body,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def post_json(self, path: str, body: bytes) -> int:
        """One POST, for checking an endpoint before loading it. Returns the status."""
        return self.post(path, body)[0]

    def settle(self, quick: float = 0.05, limit: float = SETTLE_TIMEOUT) -> float:
        """Wait until /healthz answers within ``quick`` s: the server has no backlog left.

        After an overloaded run the server may still be working through queued
        requests; the next measurement must not pay for them. Returns the wait.
        """
        started = time.monotonic()
        while time.monotonic() - started < limit:
            asked = time.monotonic()
            if _healthy(self.url("/healthz")) and time.monotonic() - asked < quick:
                break
            time.sleep(0.1)
        return time.monotonic() - started

    def logged_errors(self) -> int:
        """Lines the server logged at ERROR level so far (tracebacks count once)."""
        text = self.log_path.read_text(errors="replace")
        return sum(1 for line in text.splitlines() if "ERROR" in line)

    def describe(self) -> str:
        """The granian flags (after the interpreter), for the printed facts."""
        flags = list(self.command)
        start = flags.index("granian") + 1 if "granian" in flags else 0
        return "granian " + " ".join(flags[start:])


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def running_server(
    workers: int, threads: int | None = None, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """Start granian on a free loopback port, wait for /healthz, stop it on the way out.

    The server gets its own session so a Ctrl-C reaches only this process,
    which then stops the server in order (workers first, then the database
    that the launcher stops after us). ``env`` adds to (or overrides) the
    server's environment, e.g. another DATABASE_URL.
    """
    port = free_loopback_port()
    command = (
        web_server_command(str(port), str(workers), str(threads))
        if threads
        else web_server_command(str(port), str(workers))
    )
    environment = {**os.environ, **(env or {}), "CAIRN_BENCH": "1", "PYTHONUNBUFFERED": "1"}
    LOG_PATH.parent.mkdir(parents=True, exist_ok=True)
    log = LOG_PATH.open("w")
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _healthy(f"{base_url}/healthz"):
            if process.poll() is not None:
                raise ServerError(
                    f"granian exited with status {process.returncode}; see {LOG_PATH}"
                )
            if time.monotonic() > deadline:
                raise ServerError(f"/healthz did not answer 200 within {START_TIMEOUT:.0f} s")
            time.sleep(0.2)
        yield Server(base_url=base_url, command=tuple(command), workers=workers, log_path=LOG_PATH)
    finally:
        _stop(process)
        log.close()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: granian and its workers
        process.wait(timeout=STOP_TIMEOUT)
