"""The Idempotency-Key header.

What a key means is intake's business (``cairn.contacts.services``): the
contact is written exactly once per client and key (the key is in the
contact's unique index; a concurrent duplicate waits on that index until the
first transaction ends), a retry gets the first answer again (its tracking
secret is derived from the key, so it is not stored anywhere), and a retry
that sends a different body is told so. Nothing else is kept for a key.
"""

import re

from cairn.api.errors import ApiProblem

KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,200}$")


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
