"""A real SMS provider stand-in (an HTTP server on a free local port) and a real worker."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.workers import run_worker as run_queues

TOKEN = "test-sms-provider-token"


class FakeSmsProvider:
    """Records every request; answers ``failures`` requests with ``failure_status`` first."""

    def __init__(self):
        self.requests: list[dict] = []
        self.failures = 0
        self.failure_status = 500
        self.delay_seconds = 0.0
        self.answered = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/messages"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                provider.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "json": json.loads(body)}
                )
                if provider.delay_seconds:
                    threading.Event().wait(provider.delay_seconds)
                if provider.failures > 0:
                    provider.failures -= 1
                    # A provider's error may echo the number: it must never reach our row.
                    answer = {"error": f"cannot deliver to {json.loads(body)['to']}"}
                    status = provider.failure_status
                else:
                    answer = {"message_id": f"SM{len(provider.requests):04d}"}
                    status = 201
                payload = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def sms_provider(settings):
    provider = FakeSmsProvider()
    settings.CAIRN_SMS_PROVIDER_URL = provider.url
    settings.CAIRN_SMS_PROVIDER_TOKEN = TOKEN
    yield provider
    provider.close()


@pytest.fixture
def no_backoff(settings):
    """Retries due at once, so a worker that stops when the queue is empty sees them."""
    settings.CAIRN_NOTIFY_RETRY_SECONDS = 0


def run_worker() -> None:
    """The real worker on the notify queue until nothing is left to do (tests/workers.py)."""
    run_queues("notify")
