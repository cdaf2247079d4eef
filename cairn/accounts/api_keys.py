"""API keys for integrators: ``cairn_<prefix>_<secret>``, stored as a SHA-256."""

import hashlib
import hmac
import secrets

from django.db import transaction

from cairn.accounts.models import ApiClient
from cairn.audit.models import Operation
from cairn.audit.services import record

KEY_PREFIX = "cairn_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def issue_api_key(name: str, *, key: str | None = None) -> tuple[ApiClient, str]:
    """Create a client and return it with its key (shown once). ``key`` is for demo data only."""
    key = key or f"{KEY_PREFIX}{secrets.token_hex(4)}_{secrets.token_urlsafe(32)}"
    prefix = key[len(KEY_PREFIX) : len(KEY_PREFIX) + 8]
    client = ApiClient.objects.create(name=name, prefix=prefix, key_hash=_hash(key))
    record(Operation.COLLECTION, object_type="api_client", object_id=client.pk, fields=["name"])
    return client, key


def client_for_key(key: str) -> ApiClient | None:
    """The active client holding this key, or None. Constant-time on the hash."""
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    candidate = ApiClient.objects.filter(
        prefix=key[len(KEY_PREFIX) : len(KEY_PREFIX) + 8], is_active=True
    ).first()
    if candidate and hmac.compare_digest(candidate.key_hash, _hash(key)):
        return candidate
    return None
