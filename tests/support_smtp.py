"""A real SMTP server on a free local port (aiosmtpd), capturing what it is sent.

Use the ``smtp_server`` fixture (register it with
``from tests.support_smtp import smtp_server  # noqa: F401`` in a conftest or
test module): it starts the server, points Django's default mailer at it over
SMTP (``settings.MAILERS``), and yields a :class:`CapturingSmtpServer`.
``smtp_server.messages`` holds every message received, parsed
(:class:`Received`); ``smtp_server.refuse(address, code)`` makes the server
answer RCPT TO for that address with ``code`` (550: refused for good; 451:
try again later). ``smtp_server.environment()`` gives the environment a
worker *process* needs to send to it (``CAIRN_EMAIL_BACKEND`` and friends).

Nothing is mocked: messages go through smtplib, Django's SMTP backend and the
SMTP protocol over a loopback socket.
"""

import socket
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@dataclass(frozen=True)
class Received:
    mail_from: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def body(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()


class _Handler:
    def __init__(self, server: "CapturingSmtpServer"):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = self.server.refusals.get(address.lower())
        if code is not None:
            return f"{code} {'Try again later' if code < 500 else 'No such mailbox'}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.server.lock:
            self.server.messages.append(
                Received(
                    mail_from=envelope.mail_from,
                    recipients=list(envelope.rcpt_tos),
                    message=parsed,
                )
            )
            self.server.arrived.notify_all()
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class CapturingSmtpServer:
    """aiosmtpd in its own thread on 127.0.0.1; ``messages`` fills as mail arrives."""

    def __init__(self):
        self.messages: list[Received] = []
        self.refusals: dict[str, int] = {}
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.host = "127.0.0.1"
        self.port = free_port()
        self._controller = Controller(
            _Handler(self), hostname=self.host, port=self.port, ready_timeout=10
        )

    def start(self) -> "CapturingSmtpServer":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def refuse(self, address: str, code: int = 550) -> None:
        self.refusals[address.lower()] = code

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Block until at least ``count`` messages arrived (or the timeout); return them all."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.messages) < count and time.monotonic() < deadline:
                self.arrived.wait(deadline - time.monotonic())
            return list(self.messages)

    def mailer(self) -> dict:
        """A ``settings.MAILERS`` value sending to this server."""
        return {
            "default": {
                "BACKEND": SMTP_BACKEND,
                "OPTIONS": {"host": self.host, "port": self.port, "timeout": 5, "use_tls": False},
            }
        }

    def environment(self) -> dict[str, str]:
        """What a separate worker process needs to send its email here."""
        return {
            "CAIRN_EMAIL_BACKEND": SMTP_BACKEND,
            "CAIRN_EMAIL_HOST": self.host,
            "CAIRN_EMAIL_PORT": str(self.port),
            "CAIRN_EMAIL_USE_TLS": "false",
        }


@pytest.fixture
def smtp_server(settings):
    """A real local SMTP server, with Django's default mailer pointed at it."""
    server = CapturingSmtpServer().start()
    settings.MAILERS = server.mailer()
    try:
        yield server
    finally:
        server.stop()
