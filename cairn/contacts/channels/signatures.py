"""Webhook signatures: HMAC-SHA256 over the timestamp and the raw body.

A provider sends two headers::

    X-Cairn-Timestamp: 1773353051
    X-Cairn-Signature: sha256=<hex of HMAC-SHA256(secret, b"1773353051." + body)>

A delivery is accepted only when the signature matches (compared in constant
time) and the timestamp is within five minutes of our clock, so a captured
request cannot be replayed later. Each channel has its own secret, from
``CAIRN_WEBHOOK_SECRET_<CHANNEL>`` (``CAIRN_WEBHOOK_SECRET_WEB_CHAT``…). Outside
production a fixed development secret stands in; in production a missing or
short secret is a configuration error, raised the first time it is needed.
"""

import hashlib
import hmac
import os
import re
import time
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

TIMESTAMP_HEADER = "X-Cairn-Timestamp"
SIGNATURE_HEADER = "X-Cairn-Signature"
SCHEME = "sha256="
MAX_AGE_SECONDS = 5 * 60
MIN_PRODUCTION_SECRET = 32
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


def secret_variable(channel: str) -> str:
    return f"CAIRN_WEBHOOK_SECRET_{channel.upper()}"


def development_secret(channel: str) -> str:
    return f"cairn-development-webhook-secret-{channel}"


def webhook_secret(channel: str) -> bytes:
    """The channel's secret; ImproperlyConfigured in production when it is missing or weak."""
    name = secret_variable(channel)
    value = os.environ.get(name, "")
    if settings.PRODUCTION:
        if len(value) < MIN_PRODUCTION_SECRET:
            raise ImproperlyConfigured(
                f"{name} must be set to at least {MIN_PRODUCTION_SECRET} characters "
                "when CAIRN_ENV=production"
            )
        return value.encode()
    return (value or development_secret(channel)).encode()


def sign(channel: str, body: bytes, timestamp: int) -> str:
    """The signature header's value for ``body`` sent at ``timestamp`` (for providers and tests)."""
    mac = hmac.new(webhook_secret(channel), f"{timestamp}.".encode() + body, hashlib.sha256)
    return SCHEME + mac.hexdigest()


def signature_problem(
    channel: str, body: bytes, headers: Mapping[str, str], now: float | None = None
) -> str:
    """Why the delivery's signature is not acceptable, or "" when it is.

    The reason is for our logs and the provider's developers; it never says
    how close a wrong signature came.
    """
    lowered = {str(name).lower(): value for name, value in headers.items()}
    timestamp = (lowered.get(TIMESTAMP_HEADER.lower()) or "").strip()
    given = (lowered.get(SIGNATURE_HEADER.lower()) or "").strip()
    if not timestamp or not given:
        return "missing signature headers"
    if not _TIMESTAMP.fullmatch(timestamp):
        return "timestamp is not a number of seconds"
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > MAX_AGE_SECONDS:
        return "timestamp is more than five minutes from our clock"
    expected = sign(channel, body, int(timestamp))
    if not hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")):
        return "signature does not match"
    return ""
