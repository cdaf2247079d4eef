"""A partner agency's system as a real HTTP server on a free local port, and the real worker.

The server records every webhook it receives (headers and raw body) and
answers the first ``failures`` with ``failure_status``.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.workers import run_worker as run_queues


class FakePartnerSystem:
    def __init__(self):
        self.requests: list[dict] = []
        self.failures = 0
        self.failure_status = 500
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/cairn-webhooks"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        system = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                system.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                if system.failures > 0:
                    system.failures -= 1
                    status, answer = system.failure_status, b'{"error": "try later"}'
                else:
                    status, answer = 204, b""
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        return Handler

    def payloads(self) -> list[dict]:
        return [json.loads(request["body"]) for request in self.requests]


def run_worker() -> None:
    """The real worker on the partners queue until nothing is left to do (tests/workers.py)."""
    run_queues("partners")
