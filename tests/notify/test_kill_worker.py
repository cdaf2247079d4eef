"""Killing the worker mid-send loses no message and delivers none twice.

A real worker *process* (``manage.py procrastinate worker``, on the test
database) sends text messages to a local SMS provider stand-in that answers
slowly and, like real providers, honours the ``Idempotency-Key`` header: a
repeat of a key it has already taken is answered with the first message's id
and not delivered again. The worker is killed with SIGKILL while requests are
in flight (their messages stay "sending"); the stalled-delivery sweep queues
them again; a second worker process finishes the queue. Each message must
then be "sent", and the provider must have delivered each exactly once,
although it was asked more than once for the ones in flight at the kill.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from cairn.notify.models import MessageStatus, OutboundMessage
from cairn.notify.services import STALLED_AFTER, queue_message, requeue_stalled
from tests.notify.conftest import TOKEN

ROOT = Path(settings.BASE_DIR)
MESSAGES = 6
NUMBERS = [f"07911 1234{n:02d}" for n in range(MESSAGES)]


class DedupingSmsProvider:
    """An SMS provider stand-in that delivers once per Idempotency-Key, as real ones do.

    ``requests`` counts every POST; ``delivered`` lists the keys it actually
    sent to a handset (once each: a repeat gets the first answer back).
    Delivery happens when the request arrives; the answer follows after
    ``delay_seconds``, so a client killed meanwhile never learns it.
    """

    def __init__(self, delay_seconds: float):
        self.delay_seconds = delay_seconds
        self.requests: list[str] = []
        self.delivered: list[str] = []
        self.ids: dict[str, str] = {}
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/messages"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def take(self, key: str) -> tuple[str, bool]:
        """The provider's id for ``key``, and whether this request is a repeat."""
        with self.lock:
            self.requests.append(key)
            if key in self.ids:
                return self.ids[key], True
            self.ids[key] = f"SM{len(self.ids) + 1:04d}"
            self.delivered.append(key)
            return self.ids[key], False

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self.send_response(401)
                    self.end_headers()
                    return
                message_id, repeat = provider.take(self.headers["Idempotency-Key"])
                if not repeat and provider.delay_seconds:
                    time.sleep(provider.delay_seconds)
                payload = json.dumps({"message_id": message_id}).encode()
                try:
                    self.send_response(200 if repeat else 201)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the worker was killed while we took our time

            def log_message(self, *args):
                pass

        return Handler


def test_database_url() -> str:
    """The URL of the database this test runs on, for a worker process."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db["HOST"] or "127.0.0.1", safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{credentials}@{host}{port}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def start_worker(provider: DedupingSmsProvider, log: Path, *, one_shot: bool):
    environment = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CAIRN_ENV": "test",
        "CAIRN_SMS_PROVIDER_URL": provider.url,
        "CAIRN_SMS_PROVIDER_TOKEN": TOKEN,
        "CAIRN_SMS_TIMEOUT_SECONDS": "30",
        "CAIRN_NOTIFY_RETRY_SECONDS": "0",
    }
    command = [
        sys.executable,
        "manage.py",
        "procrastinate",
        "worker",
        "--queues",
        "notify",
        "--concurrency",
        "2",
        "--fetch-job-polling-interval",
        "0.2",
    ]
    if one_shot:
        command.append("--one-shot")
    with log.open("ab") as output:
        return subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT
        )


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def queue_texts() -> list[OutboundMessage]:
    messages = []
    for number in NUMBERS:
        with transaction.atomic():  # committed one by one, as changes are
            messages.append(
                queue_message(
                    channel="sms",
                    to=number,
                    template="case_updated",
                    language="en",
                    context={"reference": "CRN-261124-00042", "link": "https://cairn.example/t"},
                    idempotency_key=f"kill-test:{number}",
                )
            )
    return messages


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice(tmp_path):
    provider = DedupingSmsProvider(delay_seconds=2.0)
    log = tmp_path / "worker.log"
    workers: list[subprocess.Popen] = []
    try:
        messages = queue_texts()
        first = start_worker(provider, log, one_shot=False)
        workers.append(first)
        # Two sent and answered, then the next two taken by the provider, answers pending.
        wait_until(lambda: len(provider.requests) >= 4, 60, f"the first sends ({log})")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        delivered_at_kill = set(provider.delivered)

        statuses = Counter(OutboundMessage.objects.values_list("status", flat=True))
        assert statuses[MessageStatus.SENDING] >= 1, statuses  # killed mid-send, really
        assert statuses[MessageStatus.SENT] < MESSAGES
        in_flight = set(
            OutboundMessage.objects.filter(status=MessageStatus.SENDING).values_list(
                "idempotency_key", flat=True
            )
        )
        # Delivered to the handset, but the worker died before it heard so.
        unanswered = in_flight & delivered_at_kill
        assert unanswered, (in_flight, delivered_at_kill)

        # The sweep (every five minutes in production) finds them once they are stale.
        with transaction.atomic():
            requeued = requeue_stalled(timezone.now() + STALLED_AFTER + timedelta(seconds=1))
        assert requeued == len(in_flight)

        provider.delay_seconds = 0.0
        second = start_worker(provider, log, one_shot=True)
        workers.append(second)
        assert second.wait(timeout=120) == 0, log.read_text()

        for message in messages:
            message.refresh_from_db()
        assert [m.status for m in messages] == [MessageStatus.SENT] * MESSAGES
        keys = [m.idempotency_key for m in messages]
        # Each delivered to a handset exactly once, none lost …
        assert sorted(provider.delivered) == sorted(keys)
        # … although those the provider had taken when the worker died were asked twice.
        asked = Counter(provider.requests)
        assert {key for key, times in asked.items() if times > 1} == unanswered
        # Their status carries the provider's first answer: the same message.
        assert {m.provider_message_id for m in messages} == set(provider.ids.values())
        for message in messages:
            assert message.provider_message_id == provider.ids[message.idempotency_key]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)
        provider.close()
