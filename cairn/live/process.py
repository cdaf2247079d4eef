"""The live service as a child process on a free port: for browser tests and benchmarks.

Exactly the command `make run` uses (cairn.launcher.live_server_command), so
tests and benchmarks exercise the real granian ASGI server, with the database
and allowed origins they choose.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from psycopg.conninfo import make_conninfo

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


class LiveServiceError(RuntimeError):
    pass


def conninfo_for(settings_dict: Mapping[str, Any]) -> str:
    """A libpq connection string for a Django DATABASES entry (e.g. the test database)."""
    parts = {
        "dbname": settings_dict.get("NAME"),
        "user": settings_dict.get("USER"),
        "password": settings_dict.get("PASSWORD"),
        "host": settings_dict.get("HOST"),
        "port": settings_dict.get("PORT"),
    }
    return make_conninfo(**{name: str(value) for name, value in parts.items() if value})


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def health(base_url: str) -> dict | None:
    """What /healthz says (listening, streams), or None when it does not answer 200."""
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:  # noqa: S310
            return json.loads(response.read()) if response.status == 200 else None
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def running_live_service(
    *,
    conninfo: str,
    allowed_origins: list[str],
    environment: Mapping[str, str] | None = None,
    log: Path | None = None,
) -> Iterator[str]:
    """Start the service, wait until it listens, yield its base URL, stop it afterwards."""
    from cairn.launcher import ROOT, live_server_command

    port = free_loopback_port()
    env = {
        **os.environ,
        "CAIRN_LIVE_DATABASE_URL": conninfo,
        "CAIRN_LIVE_ALLOWED_ORIGINS": ",".join(allowed_origins),
        "PYTHONUNBUFFERED": "1",
        **(environment or {}),
    }
    output: IO | int = log.open("w") if log else subprocess.DEVNULL
    process = subprocess.Popen(  # noqa: S603 (our own fixed command)
        live_server_command(str(port)),
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own group: stopped with its worker, never with us
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not (health(base_url) or {}).get("listening"):
            if process.poll() is not None:
                raise LiveServiceError(f"the live service exited with {process.returncode}")
            if time.monotonic() > deadline:
                raise LiveServiceError(f"the live service did not listen within {START_TIMEOUT} s")
            time.sleep(0.1)
        yield base_url
    finally:
        _stop(process)
        if log:
            output.close()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)
