"""A small server-sent events client over httpx, for the live service's tests."""

import json
import time
from dataclasses import dataclass
from urllib.parse import quote

import httpx


@dataclass(frozen=True)
class Message:
    """One SSE message: an event (name and data) or a comment (name "", data the comment)."""

    name: str
    data: str
    comment: bool = False

    def json(self) -> dict:
        return json.loads(self.data)


class EventStream:
    def __init__(self, client: httpx.Client, response: httpx.Response):
        self.client = client
        self.response = response
        self.retry_ms: int | None = None
        self._lines = response.iter_lines()

    @classmethod
    def open(cls, base_url: str, token: str, headers: dict[str, str] | None = None):
        client = httpx.Client(timeout=httpx.Timeout(5.0, read=5.0))
        request = client.build_request(
            "GET", f"{base_url}/events?token={quote(token, safe='')}", headers=headers or {}
        )
        response = client.send(request, stream=True)
        stream = cls(client, response)
        if response.status_code == 200:
            first = stream.next_message(timeout=5)
            assert first == Message("", "connected", comment=True), first
        return stream

    def next_message(self, timeout: float) -> Message | None:
        """The next message, or None if none is complete within ``timeout`` seconds.

        The service's heartbeat (a comment) keeps lines coming, so the deadline
        is checked at least that often.
        """
        deadline = time.monotonic() + timeout
        name, data, comment = "message", [], None
        while time.monotonic() < deadline:
            line = next(self._lines)
            if line == "":
                if comment is not None and not data:
                    return Message("", comment, comment=True)
                if data:
                    return Message(name, "\n".join(data))
                continue
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "":
                comment = value
            elif field == "event":
                name = value
            elif field == "data":
                data.append(value)
            elif field == "retry":
                self.retry_ms = int(value)
        return None

    def next_event(self, timeout: float) -> Message | None:
        """The next event (comments skipped), or None within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            message = self.next_message(remaining)
            if message is not None and not message.comment:
                return message
        return None

    def events_within(self, seconds: float) -> list[Message]:
        """Every event that arrives in the next ``seconds``."""
        events, deadline = [], time.monotonic() + seconds
        while (event := self.next_event(deadline - time.monotonic())) is not None:
            events.append(event)
        return events

    def close(self) -> None:
        self.response.close()
        self.client.close()
