"""A partner agency's system as a real HTTP server on a free local port, and the real worker.

The server records every webhook it receives (headers and raw body) and
answers the first ``failures`` with ``failure_status``.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.db import connection, connections
from procrastinate.contrib.django import app


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


def forget_jobs() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE procrastinate_events, procrastinate_periodic_defers,"
            " procrastinate_jobs, procrastinate_workers"
        )


def run_worker() -> None:
    """The real procrastinate worker on the partners queue until nothing is left to do
    (as tests/notify/conftest.py runs it: its own thread, its own connections)."""
    database = connections.settings["default"]
    kept = database["CONN_MAX_AGE"]
    database["CONN_MAX_AGE"] = 0
    failures: list[BaseException] = []

    def work() -> None:
        try:
            with app.replace_connector(app.connector.get_worker_connector()):
                app.run_worker(
                    queues=["partners"],
                    wait=False,
                    install_signal_handlers=False,
                    listen_notify=False,
                )
        except BaseException as failure:
            failures.append(failure)

    worker = threading.Thread(target=work, name="partners-worker")
    try:
        worker.start()
        worker.join()
    finally:
        database["CONN_MAX_AGE"] = kept
    if failures:
        raise failures[0]
