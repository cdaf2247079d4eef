"""Tracking secrets: what lets a member of the public see their report's status.

A secret is 130 random bits written as 26 base32 characters in groups of
four, so it can be read over the phone or copied by hand; only its SHA-256 is
stored (at 130 bits a fast hash is enough: there is nothing to brute-force).
"""

import base64
import hashlib
import hmac
import secrets

GROUP = 4


def new_tracking_secret() -> str:
    raw = base64.b32encode(secrets.token_bytes(17)).decode().rstrip("=")[:26]
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def normalise_secret(typed: str) -> str:
    """Forgive case, spaces and dashes; map easily confused characters to base32."""
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans({"0": "O", "1": "I", "8": "B"}))
    return cleaned


def hash_secret(secret: str) -> str:
    return hashlib.sha256(normalise_secret(secret).encode()).hexdigest()


def secret_matches(typed: str, stored_hash: str) -> bool:
    return bool(stored_hash) and hmac.compare_digest(hash_secret(typed), stored_hash)
