"""Idempotency-Key handling: replay the first answer, refuse a reused key with a new body.

The contact itself is written exactly once by ``receive_contact``: the key is
part of its unique index, and a concurrent duplicate waits on that index until
the first transaction ends. What this module adds is the first *answer* (with
the tracking secret, which is not stored anywhere else) and the body's
fingerprint, kept in ``IdempotentRequest`` by the transaction that did the
work, so a retry gets the same response and a different body under a used key
is refused.
"""

import hashlib
import json
import re

from django.db import connection
from django.utils import timezone
from psycopg.types.json import Jsonb

from cairn.api.errors import ApiProblem
from cairn.api.models import IdempotentRequest

KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,200}$")

# Store the answer in one round trip: the INSERT writes the row, or, when the
# key already has an answer, writes nothing and returns nothing. Written once,
# after the work, with the answer in it: no placeholder row to UPDATE later,
# and no SELECT or savepoint first (get_or_create's way: four round trips).
REMEMBER_SQL = (
    "INSERT INTO api_idempotentrequest (client_id, key, fingerprint, status_code, body, created_at)"
    " VALUES (%s, %s, %s, %s, %s, %s)"
    " ON CONFLICT (client_id, key) DO NOTHING RETURNING id"
)


def fingerprint(payload: dict) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotency_key(request) -> str | None:
    """The request's Idempotency-Key, or None; a malformed one is a structured 400."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not KEY_PATTERN.match(key):
        raise ApiProblem(
            400,
            "bad_idempotency_key",
            "Idempotency-Key must be 1 to 200 printable ASCII characters.",
        )
    return key


def stored_answer(client, key: str, digest: str) -> IdempotentRequest | None:
    """The answer already given for this key, if any. A different body under it: a 422."""
    stored = IdempotentRequest.objects.filter(client=client, key=key).first()
    if stored is not None and stored.fingerprint != digest:
        raise ApiProblem(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was already used with a different body.",
        )
    return stored


def remember(
    client, key: str, digest: str, status_code: int, body: dict
) -> IdempotentRequest | None:
    """Keep this answer for the key, in the caller's transaction (the one that did the work).

    Returns None when it was kept. When the key already had an answer (a
    request with the same key committed first), keeps nothing and returns that
    answer, or raises the 422 if it was for a different body: the caller must
    then undo its work.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            REMEMBER_SQL, [client.pk, key, digest, status_code, Jsonb(body), timezone.now()]
        )
        if cursor.fetchone() is not None:
            return None
    return stored_answer(client, key, digest)
