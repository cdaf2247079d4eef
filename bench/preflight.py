"""What several benchmarks check before they start: that the database is one they may
change, and a staff member signed in through the real sign-in."""

import os
import re
import time
from pathlib import Path

import httpx

from bench.server import Server
from cairn.launcher import ROOT

BENCH_DATA_DIR = ROOT / "var" / "pgbench"


def disposable_database_refusal(what_it_does: str) -> str | None:
    """None when this database may be changed (the bench cluster, var/pgbench, or
    CAIRN_BENCH_DISPOSABLE_DB=1); otherwise the sentence to refuse with."""
    from django.db import connection

    if os.environ.get("CAIRN_BENCH_DISPOSABLE_DB") == "1":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SHOW data_directory")
        (directory,) = cursor.fetchone()
    if Path(directory).resolve() == BENCH_DATA_DIR.resolve():
        return None
    return (
        f"{what_it_does}: it runs on the bench database (var/pgbench) only, or where "
        "CAIRN_BENCH_DISPOSABLE_DB=1 says the database may be changed"
    )


def _csrf_token(page: httpx.Response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def signed_in_staff(server: Server, username: str, landing: str) -> httpx.Client | None:
    """A demo login through the real sign-in (password, then the authenticator code), or
    None when ``landing`` still does not answer 200."""
    from cairn.demo.data import DEMO_PASSWORD, demo_totp_code

    client = httpx.Client(base_url=server.base_url, timeout=60)
    for attempt in range(2):
        token = _csrf_token(client.get("/staff/sign-in/"))
        client.post(
            "/staff/sign-in/",
            data={"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
        )
        token = _csrf_token(client.get("/staff/sign-in/code/"))
        answer = client.post(
            "/staff/sign-in/code/", data={"token": demo_totp_code(), "csrfmiddlewaretoken": token}
        )
        if answer.status_code == 302 and client.get(landing).status_code == 200:
            return client
        if attempt == 0:  # this code was used in the last 30 s (a run just before): the next one
            time.sleep(30 - time.time() % 30 + 1)
    client.close()
    return None
