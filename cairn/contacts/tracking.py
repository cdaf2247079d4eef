"""Tracking secrets: what lets a member of the public see their report's status.

A secret is 130 bits written as 26 base32 characters in groups of four, so it
can be read over the phone or copied by hand; only its SHA-256 is stored (at
130 bits a fast hash is enough: there is nothing to brute-force).

A contact sent with an idempotency key gets a secret *derived* from the key
(an HMAC under the server's secret key) instead of a random one, so a retry of
the same submission can be given the same secret again without the secret
being stored anywhere: see :func:`tracking_secret_for_key`.
"""

import base64
import hashlib
import hmac
import secrets

from django.utils.crypto import salted_hmac

GROUP = 4
SECRET_BYTES = 17  # 136 bits, of which the 26 characters keep 130
KEY_SALT = "cairn.contacts.tracking-secret"


def _written(raw: bytes) -> str:
    text = base64.b32encode(raw[:SECRET_BYTES]).decode().rstrip("=")[:26]
    return "-".join(text[i : i + GROUP] for i in range(0, len(text), GROUP))


def new_tracking_secret() -> str:
    return _written(secrets.token_bytes(SECRET_BYTES))


def tracking_secret_for_key(channel: str, source: str, idempotency_key: str) -> str:
    """The secret of the contact sent by ``source`` on ``channel`` with this key.

    Unguessable without the server's SECRET_KEY; the same every time for the
    same key, so a replay gets the first answer's secret. (After SECRET_KEY
    is rotated a replay no longer matches: then it is not given again.)
    """
    value = "\x1f".join((channel, source, idempotency_key))
    return _written(salted_hmac(KEY_SALT, value, algorithm="sha256").digest())


def normalise_secret(typed: str) -> str:
    """Forgive case, spaces and dashes; map easily confused characters to base32."""
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans({"0": "O", "1": "I", "8": "B"}))
    return cleaned


def hash_secret(secret: str) -> str:
    return hashlib.sha256(normalise_secret(secret).encode()).hexdigest()


def secret_matches(typed: str, stored_hash: str) -> bool:
    return bool(stored_hash) and hmac.compare_digest(hash_secret(typed), stored_hash)
