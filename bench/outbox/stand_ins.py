"""The outside world for the outbox benchmark: an SMS provider and an SMTP server, on loopback.

Both record when each message arrived (``time.monotonic()`` in this process,
the clock the benchmark reads at each commit) keyed by recipient, and answer
at once, so what is measured is Cairn's path: commit, job, worker, sender.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from bench.server import free_loopback_port

TOKEN = "bench-outbox-sms-token"  # noqa: S105 - the stand-in's own, not a secret


class Arrivals:
    """Recipient -> monotonic arrival time of its first message; a count of all arrivals."""

    def __init__(self):
        self.first: dict[str, float] = {}
        self.count: dict[str, int] = {}
        self.total = 0
        self._lock = threading.Lock()

    def note(self, recipient: str) -> None:
        now = time.monotonic()
        with self._lock:
            self.total += 1
            key = recipient.lower()
            self.first.setdefault(key, now)
            self.count[key] = self.count.get(key, 0) + 1


class SmsProvider:
    """POST /messages with the bearer token; answers 201 with a message id, at once."""

    def __init__(self):
        self.arrivals = Arrivals()
        self._server = ThreadingHTTPServer(("127.0.0.1", free_loopback_port()), self._handler())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/messages"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        arrivals = self.arrivals

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                arrivals.note(body["to"])
                payload = json.dumps({"message_id": f"BENCH{arrivals.total}"}).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        return Handler


class _SmtpHandler:
    def __init__(self, arrivals: Arrivals):
        self.arrivals = arrivals

    async def handle_DATA(self, server, session, envelope):
        for recipient in envelope.rcpt_tos:
            self.arrivals.note(recipient)
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on 127.0.0.1 (its own thread), noting each message's arrival."""

    def __init__(self):
        self.arrivals = Arrivals()
        self.host, self.port = "127.0.0.1", free_loopback_port()
        self._controller = Controller(
            _SmtpHandler(self.arrivals), hostname=self.host, port=self.port, ready_timeout=10
        )
        self._controller.start()

    def close(self) -> None:
        self._controller.stop()
