"""A minimal clamd client: the INSTREAM command over a Unix or TCP socket.

clamd's protocol: send ``zINSTREAM\\0``, then chunks each prefixed by a 4-byte
big-endian length, then a zero length; clamd answers ``stream: OK`` or
``stream: <signature> FOUND``.
"""

import socket
import struct
from dataclasses import dataclass

from django.conf import settings

CHUNK = 64 * 1024
TIMEOUT_SECONDS = 30


class ScannerUnavailable(Exception):
    """clamd could not be reached or answered nonsense: try again later."""


@dataclass(frozen=True)
class Verdict:
    infected: bool
    signature: str = ""


def scanner_configured() -> bool:
    return bool(settings.CAIRN_CLAMD_ADDRESS)


def _connect(address: str) -> socket.socket:
    if address.startswith("unix:"):
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target: object = address.removeprefix("unix:")
    else:
        host, _, port = address.rpartition(":")
        connection = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        target = (host, int(port))
    connection.settimeout(TIMEOUT_SECONDS)
    connection.connect(target)
    return connection


def scan_bytes(content: bytes, address: str | None = None) -> Verdict:
    address = address or settings.CAIRN_CLAMD_ADDRESS
    try:
        with _connect(address) as connection:
            connection.sendall(b"zINSTREAM\0")
            for start in range(0, len(content), CHUNK):
                chunk = content[start : start + CHUNK]
                connection.sendall(struct.pack("!L", len(chunk)) + chunk)
            connection.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                part = connection.recv(4096)
                if not part:
                    break
                reply += part
    except OSError as error:
        raise ScannerUnavailable(str(error)) from error
    text = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if text.endswith(" OK"):
        return Verdict(infected=False)
    if text.endswith(" FOUND"):
        return Verdict(infected=True, signature=text.removeprefix("stream:").strip()[:-6])
    raise ScannerUnavailable(f"unexpected answer from clamd: {text[:80]}")
