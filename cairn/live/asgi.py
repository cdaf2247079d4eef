"""The live events service: server-sent events for the queue page, fed by PostgreSQL NOTIFY.

    python -m granian --interface asgi --port 8001 cairn.live.asgi:application

(`make run` starts it: cairn.launcher.live_server_command.) Pure asyncio and
deliberately small: the main app stays WSGI (see cairn.launcher), and this
process only holds open streams. No ORM, no sessions: ``GET /events?token=…``
is authorised by the signed token the queue page put in its URL
(cairn/live/tokens.py), checked without the database; anything else gets 403.

A stream sends ``retry:``, then for each change to the queue

    event: queue
    data: {"contact": 12, "change": "received"}

(``received``, ``claimed``, ``released`` or ``decided``: never personal data),
``event: resync`` when events may have been missed, and a comment every 15 s
so that proxies and the browser know the stream is alive. ``GET /healthz``
says whether the service is listening and how many streams are open.

Browsers reach it from the main app's pages, another origin: it answers with
Access-Control-Allow-Origin for the origins in CAIRN_LIVE_ALLOWED_ORIGINS and
refuses a request from any other origin.
"""

import asyncio
import contextlib
import json
import logging
import logging.config
import os
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs

from cairn.live.relay import CLOSING, Event, Relay

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
logger = logging.getLogger(__name__)

RETRY_MS = 3000  # how long a browser waits before reconnecting
HEARTBEAT_SECONDS = 15.0
MAX_STREAMS = 5000  # per process; beyond it a browser is told to come back later


@dataclass(frozen=True)
class Config:
    conninfo: str
    allowed_origins: frozenset[str]
    token_max_age: timedelta
    heartbeat: float = HEARTBEAT_SECONDS
    max_streams: int = MAX_STREAMS


def config_from_settings() -> Config:
    """The service's configuration from Django's settings (read, never set up: no apps)."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)  # the app's format and levels; no personal data
    return Config(
        conninfo=settings.CAIRN_LIVE_DATABASE_URL,
        allowed_origins=frozenset(o.rstrip("/") for o in settings.CAIRN_LIVE_ALLOWED_ORIGINS),
        token_max_age=settings.CAIRN_LIVE_TOKEN_MAX_AGE,
        heartbeat=float(os.environ.get("CAIRN_LIVE_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)),
        max_streams=int(os.environ.get("CAIRN_LIVE_MAX_STREAMS", MAX_STREAMS)),
    )


def _headers(scope) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in scope.get("headers", [])}


async def _respond(send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-length", str(len(body)).encode()),
                (b"x-content-type-options", b"nosniff"),
                (b"cache-control", b"no-store"),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _plain(send, status: int, text: str, extra=()) -> None:
    await _respond(
        send, status, text.encode(), [(b"content-type", b"text/plain; charset=utf-8"), *extra]
    )


async def _until_disconnect(receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


class LiveApp:
    """The ASGI application. One Relay per process, started with the process (or on first use)."""

    def __init__(self, config: Config | None = None):
        self._config = config
        self._relay: Relay | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = config_from_settings()
        return self._config

    @property
    def relay(self) -> Relay:
        if self._relay is None:
            self._relay = Relay(self.config.conninfo)
        self._relay.start()  # no-op once running; restarts it if it ever died
        return self._relay

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    self.relay  # noqa: B018 (starts listening)
                except Exception as error:  # a bad configuration: say so and do not start
                    await send({"type": "lifespan.startup.failed", "message": str(error)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._relay is not None:
                    await self._relay.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope, receive, send) -> None:
        path, method = scope["path"], scope["method"]
        if path == "/healthz" and method in ("GET", "HEAD"):
            await self._health(send)
            return
        if path != "/events":
            await _plain(send, 404, "Not found")
            return
        headers = _headers(scope)
        origin = headers.get(b"origin", b"").decode("latin-1")
        if origin and origin not in self.config.allowed_origins:
            await _plain(send, 403, "Forbidden")
            return
        cors = [(b"vary", b"Origin")]
        if origin:
            cors.append((b"access-control-allow-origin", origin.encode("latin-1")))
        if method == "OPTIONS":
            allow = [(b"access-control-allow-methods", b"GET"), (b"access-control-max-age", b"600")]
            await _respond(send, 204, b"", [*cors, *allow])
            return
        if method != "GET":
            await _plain(send, 405, "Method not allowed", [(b"allow", b"GET, OPTIONS"), *cors])
            return
        from cairn.live.tokens import user_of_token

        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        token = (query.get("token") or [""])[0]
        if user_of_token(token, self.config.token_max_age) is None:
            await _plain(send, 403, "Forbidden", cors)
            return
        relay = self.relay
        if len(relay.subscribers) >= self.config.max_streams:
            await _plain(send, 503, "Busy", [(b"retry-after", b"30"), *cors])
            return
        await self._stream(relay, receive, send, cors)

    async def _health(self, send) -> None:
        relay = self.relay
        listening = relay.listening.is_set()
        body = json.dumps({"listening": listening, "streams": len(relay.subscribers)}).encode()
        await _respond(
            send, 200 if listening else 503, body, [(b"content-type", b"application/json")]
        )

    async def _stream(self, relay: Relay, receive, send, cors) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream; charset=utf-8"),
                    (b"cache-control", b"no-store"),
                    (b"x-accel-buffering", b"no"),  # no buffering in a proxy in front
                    (b"x-content-type-options", b"nosniff"),
                    *cors,
                ],
            }
        )
        with relay.subscribe() as queue:
            sender = asyncio.create_task(self._send_events(queue, send))
            watcher = asyncio.create_task(_until_disconnect(receive))
            try:
                await asyncio.wait({sender, watcher}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (sender, watcher):
                    task.cancel()
                for task in (sender, watcher):
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
        # Ending the response cleanly if the client is still there (the service is stopping).
        with contextlib.suppress(Exception):
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _send_events(self, queue: asyncio.Queue[Event], send) -> None:
        """Events as they come, a heartbeat comment when there are none; until the client goes."""
        body = f": connected\nretry: {RETRY_MS}\n\n".encode()
        closing = False
        while True:
            try:
                await send({"type": "http.response.body", "body": body, "more_body": True})
            except Exception:  # the client went away (servers differ in how they say so)
                return
            if closing:
                return
            try:
                event = await asyncio.wait_for(queue.get(), self.config.heartbeat)
            except TimeoutError:
                body = b": heartbeat\n\n"
                continue
            if event is CLOSING:
                return
            chunks = [event.encode()]
            while not queue.empty():  # several at once: one write
                event = queue.get_nowait()
                if event is CLOSING:
                    closing = True
                    break
                chunks.append(event.encode())
            body = b"".join(chunks)


application = LiveApp()
