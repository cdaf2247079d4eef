"""API keys for integrators: ``cairn_<prefix>_<secret>``, stored as a SHA-256.

Every API request presents its key, so a key seen recently is remembered in
this process for ``CACHE_SECONDS``: that saves a database query on every
request. The price is a bound, not a hole: a key that stops working
(``revoke_api_key``, or ``is_active`` set to False anywhere) is refused at once
by the process that changed it, and by every other process within
``CACHE_SECONDS``. Only keys that worked are remembered; a wrong key always
asks the database.
"""

import hashlib
import hmac
import secrets
import time

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cairn.accounts.models import ApiClient
from cairn.audit.models import Operation
from cairn.audit.services import record

KEY_PREFIX = "cairn_"
CACHE_SECONDS = 30.0
CACHE_SIZE = 1000  # keys remembered at most; past that the cache starts again empty

# SHA-256 of a key -> (its client, when this entry expires on _clock()).
# The client object is shared by the requests of this process: read it, never change it.
_recent: dict[str, tuple[ApiClient, float]] = {}
_clock = time.monotonic  # a name of its own, so tests can move it


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def issue_api_key(
    name: str, *, key: str | None = None, scopes: tuple[str, ...] = ()
) -> tuple[ApiClient, str]:
    """Create a client and return it with its key (shown once). ``key`` is for demo data only.

    ``scopes`` grant more than reporting contacts: "people.read" lets the
    client read person records (each read audited against the client).
    """
    key = key or f"{KEY_PREFIX}{secrets.token_hex(4)}_{secrets.token_urlsafe(32)}"
    prefix = key[len(KEY_PREFIX) : len(KEY_PREFIX) + 8]
    client = ApiClient.objects.create(
        name=name, prefix=prefix, key_hash=_hash(key), scopes=list(scopes)
    )
    record(Operation.COLLECTION, object_type="api_client", object_id=client.pk, fields=["name"])
    return client, key


@transaction.atomic
def revoke_api_key(client: ApiClient) -> None:
    """Stop a client's key working: in this process now, in the others within CACHE_SECONDS."""
    client.is_active = False
    client.save(update_fields=["is_active"])
    record(
        Operation.ALTERATION, object_type="api_client", object_id=client.pk, fields=["is_active"]
    )


def client_for_key(key: str) -> ApiClient | None:
    """The active client holding this key, or None. Constant-time on the hash."""
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    digest = _hash(key)
    now = _clock()
    recent = _recent.get(digest)
    if recent is not None and recent[1] > now:
        return recent[0]
    candidate = ApiClient.objects.filter(
        prefix=key[len(KEY_PREFIX) : len(KEY_PREFIX) + 8], is_active=True
    ).first()
    if candidate and hmac.compare_digest(candidate.key_hash, digest):
        if len(_recent) >= CACHE_SIZE:
            _recent.clear()
        _recent[digest] = (candidate, now + CACHE_SECONDS)
        return candidate
    _recent.pop(digest, None)
    return None


def forget_recent_keys() -> None:
    """Empty this process's cache of keys: the next request of each asks the database."""
    _recent.clear()


@receiver(post_save, sender=ApiClient, dispatch_uid="api_keys_forget_on_save")
@receiver(post_delete, sender=ApiClient, dispatch_uid="api_keys_forget_on_delete")
def _forget_on_change(**_kwargs) -> None:
    # Any change to a client (deactivated, key replaced, deleted) in this
    # process takes effect at once here; other processes wait out CACHE_SECONDS.
    forget_recent_keys()
