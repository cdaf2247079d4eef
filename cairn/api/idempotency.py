"""Idempotency-Key handling: replay the first answer, refuse a reused key with a new body."""

import hashlib
import json
import re
from dataclasses import dataclass

from cairn.api.errors import ApiProblem
from cairn.api.models import IdempotentRequest

KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,200}$")


def fingerprint(payload: dict) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class Claim:
    stored: IdempotentRequest | None
    replay: bool

    def remember(self, status_code: int, body: dict) -> None:
        if self.stored is not None:
            self.stored.status_code = status_code
            self.stored.body = body
            self.stored.save(update_fields=["status_code", "body"])


def claim_key(request, client, payload: dict) -> Claim:
    """Call inside the transaction that does the work.

    A concurrent request with the same key waits on the unique index until
    this transaction ends, then sees its stored answer.
    """
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return Claim(stored=None, replay=False)
    if not KEY_PATTERN.match(key):
        raise ApiProblem(
            400,
            "bad_idempotency_key",
            "Idempotency-Key must be 1 to 200 printable ASCII characters.",
        )
    stored, created = IdempotentRequest.objects.get_or_create(
        client=client, key=key, defaults={"fingerprint": fingerprint(payload)}
    )
    if created:
        return Claim(stored=stored, replay=False)
    if stored.fingerprint != fingerprint(payload):
        raise ApiProblem(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was already used with a different body.",
        )
    return Claim(stored=stored, replay=True)
