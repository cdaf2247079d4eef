"""Signed, short-lived URLs for the live event stream.

The queue page (the main app, with the handler's session) hands the browser a
URL to the live service carrying a token signed with the app's secret key: the
user's id and when it was signed. The live service checks the signature and the
age only: it never reads the database or a session, so it stays a small asyncio
process. What it sends carries no personal data (a contact id and what changed),
and the browser fetches everything else from the main app with its session.

This module is imported by the live service: keep it free of models and the ORM
(the capability check imports lazily, in the main app only).
"""

from datetime import timedelta
from urllib.parse import quote

from django.conf import settings
from django.core import signing

SALT = "cairn.live.events"
EVENTS_PATH = "/events"


def make_token(user_id: int) -> str:
    """A token naming the user, timestamped now."""
    return signing.dumps({"user": user_id}, salt=SALT)


def token_max_age() -> timedelta:
    return settings.CAIRN_LIVE_TOKEN_MAX_AGE


def user_of_token(token: str, max_age: timedelta | None = None) -> int | None:
    """The user id a valid, unexpired token names; None for anything else."""
    if not token or len(token) > 500:
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age or token_max_age())
    except signing.BadSignature:  # also SignatureExpired
        return None
    user = data.get("user") if isinstance(data, dict) else None
    return user if isinstance(user, int) and not isinstance(user, bool) else None


def events_url_for(request) -> str | None:
    """The URL the queue page's script opens for live events, or None when live events are off.

    None too when the user may not work the queue: the page then offers only
    its refresh link.
    """
    base = settings.CAIRN_LIVE_URL
    if not base:
        return None
    from cairn.accounts.roles import Capability, has_capability

    user = getattr(request, "user", None)
    if not has_capability(user, Capability.TRIAGE):
        return None
    return f"{base}{EVENTS_PATH}?token={quote(make_token(user.pk), safe='')}"
