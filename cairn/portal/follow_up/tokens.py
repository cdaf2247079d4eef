"""One-time form tokens: a hidden field that makes a re-posted form save nothing new.

Each form shown gets a random token signed for the report it belongs to; the
service saves at most one row per token (``cairn.engagement.services``). The
signature stops a token made for one report being used on another, and an old
page (over a day) being posted again.
"""

import secrets
from datetime import timedelta

from django.core import signing

SALT = "cairn.portal.follow-up.form"
LIFETIME = timedelta(days=1)


def _signer(reference: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"{SALT}:{reference}", sep=".")


def new_form_token(reference: str) -> str:
    return _signer(reference).sign(secrets.token_urlsafe(16))


def read_form_token(reference: str, signed: str) -> str | None:
    """The token's random part when it was made for ``reference`` within a day, else None."""
    try:
        return _signer(reference).unsign(signed or "", max_age=LIFETIME)
    except signing.BadSignature:
        return None
