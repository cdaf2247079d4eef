"""One-time codes: six digits sent by email or SMS to prove someone holds the address.

A code works for 10 minutes and for at most 5 wrong tries; asking for a new
code for the same subject ends the old one. Neither the code nor the subject
is stored in clear (see ``VerificationCode``). The caller decides whether a
code is actually sent: :func:`issue_code` with ``sendable=False`` records a
code that nothing can match, so a caller can answer an unknown address
exactly as it answers a known one.
"""

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from cairn.notify.models import CodeEnd, VerificationCode

CODE_LIFETIME = timedelta(minutes=10)
MAX_WRONG_TRIES = 5
KEPT_FOR = timedelta(days=1)
_SALT = "cairn.notify.codes"


class CodeOutcome(StrEnum):
    VERIFIED = "verified"
    WRONG = "wrong"  # try again: ``tries_left`` says how often
    TOO_MANY_TRIES = "too_many_tries"  # this try was the last wrong one
    ENDED = "ended"  # expired, used, replaced or ended by wrong tries before


@dataclass(frozen=True)
class IssuedCode:
    code: VerificationCode
    plain: str  # the six digits, to put in the message; never stored


@dataclass(frozen=True)
class CodeCheck:
    outcome: CodeOutcome
    tries_left: int = 0


def subject_digest(purpose: str, subject: str) -> str:
    return salted_hmac(_SALT, f"subject\x1f{purpose}\x1f{subject}", algorithm="sha256").hexdigest()


def _code_hash(salt: str, code: str) -> str:
    return salted_hmac(_SALT, f"code\x1f{salt}\x1f{code}", algorithm="sha256").hexdigest()


def _digits(typed: str) -> str:
    return "".join(ch for ch in typed or "" if not ch.isspace() and ch != "-")


@transaction.atomic
def issue_code(
    *, purpose: str, subject: str, sendable: bool, now: datetime | None = None
) -> IssuedCode:
    """A new code for ``subject`` (ending any open one for it)."""
    now = now or timezone.now()
    digest = subject_digest(purpose, subject)
    VerificationCode.objects.filter(
        purpose=purpose, subject_digest=digest, ended_at__isnull=True, expires_at__gt=now
    ).update(ended_at=now, end_reason=CodeEnd.REPLACED)
    plain = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(16)
    code = VerificationCode.objects.create(
        purpose=purpose,
        subject_digest=digest,
        code_hash=_code_hash(salt, plain) if sendable else "",
        salt=salt,
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    return IssuedCode(code=code, plain=plain if sendable else "")


@transaction.atomic
def check_code(
    code_id: int, *, purpose: str, subject: str, typed: str, now: datetime | None = None
) -> CodeCheck:
    """Whether ``typed`` is the code; a wrong try counts against it (row locked meanwhile)."""
    now = now or timezone.now()
    code = (
        VerificationCode.objects.select_for_update()
        .filter(pk=code_id, purpose=purpose, subject_digest=subject_digest(purpose, subject))
        .first()
    )
    if code is None or code.ended_at is not None or code.expires_at <= now:
        return CodeCheck(CodeOutcome.ENDED)
    if code.code_hash and hmac.compare_digest(
        _code_hash(code.salt, _digits(typed)), code.code_hash
    ):
        code.ended_at, code.end_reason = now, CodeEnd.VERIFIED
        code.save(update_fields=["ended_at", "end_reason"])
        return CodeCheck(CodeOutcome.VERIFIED)
    code.wrong_tries += 1
    fields = ["wrong_tries"]
    if code.wrong_tries >= MAX_WRONG_TRIES:
        code.ended_at, code.end_reason = now, CodeEnd.TOO_MANY_TRIES
        fields += ["ended_at", "end_reason"]
    code.save(update_fields=fields)
    if code.ended_at:
        return CodeCheck(CodeOutcome.TOO_MANY_TRIES)
    return CodeCheck(CodeOutcome.WRONG, tries_left=MAX_WRONG_TRIES - code.wrong_tries)


def forget_old_codes(now: datetime | None = None) -> int:
    """Codes are worth nothing after their 10 minutes: delete those over a day old."""
    cutoff = (now or timezone.now()) - KEPT_FOR
    deleted, _ = VerificationCode.objects.filter(created_at__lt=cutoff).delete()
    return deleted
