"""Helpers shared by the non-browser tests: sign-in URLs, a frozen clock, wrong codes."""

import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.test import Client

from tests.conftest import PASSWORD, current_code

ROOT = Path(__file__).resolve().parent.parent

SIGN_IN = "/staff/sign-in/"
VERIFY = "/staff/sign-in/code/"
ENROL = "/staff/sign-in/authenticator/"
SIGN_OUT = "/staff/sign-in/sign-out/"

# A Monday morning in GMT, so local time and UTC agree on the clock face.
FROZEN_START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    """Time (Python's and django-otp's) frozen at FROZEN_START; move it with clock.shift()."""
    with time_machine.travel(FROZEN_START, tick=False) as traveller:
        yield traveller


def code_now() -> str:
    """The authenticator code for the test key at the current (possibly frozen) time."""
    return current_code(at=time.time())


def wrong_code() -> str:
    """A 6-digit code the test key does not accept now (nor in the adjacent steps)."""
    now = time.time()
    accepted = {current_code(at=now + step * 30) for step in (-1, 0, 1, 2)}
    return next(
        code for code in ("000000", "111111", "222222", "333333", "444444") if code not in accepted
    )


def enter_password(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post(SIGN_IN, {"username": username, "password": password, **extra})


def body(response) -> str:
    return response.content.decode()


def last_line_of_fresh_python(code: str, environment: dict[str, str]) -> str:
    """Run ``code`` in a new interpreter with this environment; the last line it printed.

    For what happens at import time (settings read from the environment, the
    URLconf, the web worker's start), which this test process did long ago.
    """
    completed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.strip().splitlines()[-1]
