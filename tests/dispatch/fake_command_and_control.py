"""A stand-in for a command and control system: a real HTTP server on a free local port.

It takes EIDO documents as the connector posts them (recording each request,
headers and body as received), answers the first ``failures`` with
``failure_status`` (or holds them ``delay_seconds``), de-duplicates on the
document's ``$id`` as a real receiver would (a repeat gets the same incident
number), and can report status back to Cairn's API over real HTTP.
"""

import json
import threading
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import httpx

TOKEN = "test-command-and-control-token"


class FakeCommandAndControl:
    def __init__(self):
        self.requests: list[dict] = []
        self.failures = 0
        self.failure_status = 500
        self.delay_seconds = 0.0
        self.answer_with_id = True
        self.incidents: dict[str, str] = {}  # EIDO $id -> our incident number
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/eido/incidents"

    @property
    def documents(self) -> list[dict]:
        return [request["json"] for request in self.requests]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _receive(self, document: dict) -> tuple[int, dict]:
        with self._lock:
            if self.failures > 0:
                self.failures -= 1
                return self.failure_status, {"error": "internal error, try later"}
            number = self.incidents.setdefault(document["$id"], f"CC-{len(self.incidents) + 1:05d}")
        return 201, ({"incident_id": number} if self.answer_with_id else {})

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                document = json.loads(raw)
                with fake._lock:
                    fake.requests.append(
                        {
                            "path": self.path,
                            "headers": dict(self.headers),
                            "raw": raw,
                            "json": document,
                        }
                    )
                if fake.delay_seconds:
                    threading.Event().wait(fake.delay_seconds)
                status, answer = fake._receive(document)
                payload = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the connector gave up waiting (a timeout test)

            def log_message(self, *args):
                pass

        return Handler

    # Reporting back -------------------------------------------------------------------------

    def report(
        self,
        base_url: str,
        key: str,
        incident_id: str,
        status: str,
        call_sign: str = "",
        *,
        update_id: str | None = None,
        at: datetime | None = None,
    ) -> httpx.Response:
        """POST a status update to Cairn's API over real HTTP, as command and control would."""
        body = {
            "status": status,
            "call_sign": call_sign,
            "at": (at or datetime.now(UTC)).isoformat(),
            "update_id": update_id or f"cc-{uuid.uuid4()}",
            "command_and_control_id": self.incidents.get(incident_id, ""),
        }
        return httpx.post(
            f"{base_url}/api/v1/dispatch/incidents/{quote(incident_id, safe=':')}/status",
            json=body,
            headers={"Authorization": f"Bearer {key}"},
            timeout=10,
        )
