"""Reading untrusted provider payloads: content types, JSON, and typed fields.

Every helper either returns a value safe to store (bounded length, no NUL, no
lone surrogates, finite numbers, aware UTC times) or raises
:class:`InboundRejected` naming the field. Messages never repeat the input.
"""

import json
import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.http import parse_header_parameters

from cairn.contacts.channels.base import InboundRejected, Rejection
from cairn.contacts.services import MAX_NARRATIVE

JSON_TYPES = ("application/json",)
CLOCK_SKEW = timedelta(minutes=5)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")
TRUNCATED = "\n\n[Message shortened: the full text is kept with the original delivery.]"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,59}$")
_SURROGATE = re.compile("[\ud800-\udfff]")


def require_content_type(content_type: str, allowed: tuple[str, ...]) -> None:
    """415 unless the media type is one of ``allowed`` and any charset is UTF-8."""
    media_type, params = parse_header_parameters(content_type or "")
    charset = params.get("charset", "utf-8").strip().lower()
    if media_type.strip().lower() not in allowed or charset not in ("utf-8", "utf8"):
        raise InboundRejected(
            "content_type",
            f"Send this channel's deliveries as {' or '.join(allowed)} (UTF-8).",
            Rejection.UNSUPPORTED_MEDIA_TYPE,
        )


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read_json_object(raw: bytes, content_type: str) -> dict[str, Any]:
    """The body as a JSON object: strict UTF-8, no NUL bytes, finite numbers only."""
    require_content_type(content_type, JSON_TYPES)
    if b"\x00" in raw:
        raise InboundRejected("body", "The body contains NUL bytes.", Rejection.MALFORMED)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InboundRejected("body", "The body is not valid UTF-8.", Rejection.MALFORMED) from None
    try:
        data = json.loads(text, parse_float=_finite_float, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        raise InboundRejected("body", "The body is not valid JSON.", Rejection.MALFORMED) from None
    if not isinstance(data, dict):
        raise InboundRejected("body", "The body must be a JSON object.")
    return data


def clean_text(value: str) -> str:
    """Text safe for PostgreSQL: NUL and lone surrogates become U+FFFD (for lenient channels)."""
    return _SURROGATE.sub("\ufffd", value.replace("\x00", "\ufffd"))


def _check_text(name: str, value: str, max_length: int) -> str:
    if "\x00" in value or _SURROGATE.search(value):
        raise InboundRejected(name, "Text cannot contain NUL characters or lone surrogates.")
    if len(value) > max_length:
        raise InboundRejected(name, f"Keep this to {max_length} characters or fewer.")
    return value


def string(
    data: dict[str, Any],
    key: str,
    *,
    max_length: int,
    required: bool = True,
    path: str = "",
    number_as_text: bool = False,
) -> str:
    """A text field, stripped. ``number_as_text`` takes integer ids (some providers') as text."""
    name = path or key
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise InboundRejected(name, "This field is required.")
        return ""
    if number_as_text and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise InboundRejected(name, "This field must be text.")
    value = _check_text(name, value.strip(), max_length)
    if required and not value:
        raise InboundRejected(name, "This field is required.")
    return value


def slug(data: dict[str, Any], key: str) -> str:
    """A short lower-case name such as a platform or device type."""
    value = string(data, key, max_length=60).lower()
    if not _SLUG.match(value):
        raise InboundRejected(key, "Use lower-case letters, digits, '.', '_' or '-'.")
    return value


def number(data: dict[str, Any], key: str, *, low: float, high: float) -> float:
    """A required finite number within [low, high]."""
    value = data.get(key)
    if value is None:
        raise InboundRejected(key, "This field is required.")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InboundRejected(key, "This field must be a number.")
    try:
        value = float(value)
    except OverflowError:
        raise InboundRejected(key, f"Must be between {low:g} and {high:g}.") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise InboundRejected(key, f"Must be between {low:g} and {high:g}.")
    return value


def moment(
    data: dict[str, Any], key: str, *, path: str = "", now: datetime | None = None
) -> datetime:
    """An ISO 8601 time with an offset, as aware UTC; not before 2000 nor in the future."""
    name = path or key
    text = string(data, key, max_length=40, path=name)
    try:
        value = datetime.fromisoformat(text)
        if value.tzinfo is None or value.utcoffset() is None:
            raise InboundRejected(name, "Give the time with a time zone, like 2026-03-12T09:30Z.")
        value = value.astimezone(UTC)
    except (ValueError, OverflowError):
        raise InboundRejected(name, "Give an ISO 8601 time, like 2026-03-12T09:30Z.") from None
    current = now or timezone.now()
    if value < EARLIEST or value > current + CLOCK_SKEW:
        raise InboundRejected(name, "This time is not plausible (before 2000 or in the future).")
    return min(value, current)


def email_address(value: str, name: str) -> str:
    """A plausible email address, at most 254 characters, or InboundRejected."""
    value = _check_text(name, value.strip(), 254)
    try:
        validate_email(value)
    except ValidationError:
        raise InboundRejected(name, "This is not a valid email address.") from None
    return value


def clock(value: datetime) -> str:
    """A time as people in the force read it: 24-hour London time."""
    return value.astimezone(LONDON).strftime("%H:%M")


def fit_narrative(text: str) -> tuple[str, bool]:
    """The narrative within intake's limit; True when it had to be shortened.

    A long email or chat is still a contact: it is shortened here, never
    refused, and the whole original stays with the stored delivery.
    """
    text = text.strip()
    if len(text) <= MAX_NARRATIVE:
        return text, False
    return text[: MAX_NARRATIVE - len(TRUNCATED)].rstrip() + TRUNCATED, True
