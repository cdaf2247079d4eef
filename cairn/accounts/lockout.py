"""Account lockout: N failures for one username within a window lock it for a while.

Keyed by the normalised username typed, whether or not such an account exists,
so the lock neither reveals nor depends on which usernames are real.
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cairn.accounts.models import AccountLock, LoginFailure
from cairn.audit.models import Operation, Outcome
from cairn.audit.services import record


def username_key(username: str) -> str:
    return (username or "").strip().casefold()[:150]


def locked_until(username: str) -> datetime | None:
    """When the lock on this username ends, or None if it is not locked."""
    lock = AccountLock.objects.filter(
        username_key=username_key(username), locked_until__gt=timezone.now()
    ).first()
    return lock.locked_until if lock else None


@transaction.atomic
def register_failure(username: str, *, user=None, stage: str = "password") -> datetime | None:
    """Count one failed attempt; lock the username if that makes too many. Returns the lock end."""
    key = username_key(username)
    now = timezone.now()
    LoginFailure.objects.create(username_key=key, failed_at=now)
    record(
        Operation.LOGIN_FAILED if stage == "password" else Operation.MFA_FAILED,
        object_type="staff_user",
        object_id=getattr(user, "pk", ""),
        outcome=Outcome.FAILED,
        context={"stage": stage},
    )
    recent = LoginFailure.objects.filter(
        username_key=key, failed_at__gt=now - settings.LOCKOUT_WINDOW
    ).count()
    if recent < settings.LOCKOUT_FAILURES:
        return None
    until = now + settings.LOCKOUT_DURATION
    AccountLock.objects.update_or_create(
        username_key=key, defaults={"locked_at": now, "locked_until": until}
    )
    LoginFailure.objects.filter(username_key=key).delete()
    record(
        Operation.LOCKED_OUT,
        object_type="staff_user",
        object_id=getattr(user, "pk", ""),
        outcome=Outcome.DENIED,
        context={"locked_minutes": int(settings.LOCKOUT_DURATION.total_seconds() // 60)},
    )
    return until


@transaction.atomic
def clear_failures(username: str) -> None:
    key = username_key(username)
    LoginFailure.objects.filter(username_key=key).delete()
    AccountLock.objects.filter(username_key=key, locked_until__lte=timezone.now()).delete()


@transaction.atomic
def unlock(username: str, *, by) -> bool:
    """An administrator lifts a lock early."""
    key = username_key(username)
    removed, _ = AccountLock.objects.filter(username_key=key).delete()
    LoginFailure.objects.filter(username_key=key).delete()
    if removed:
        record(
            Operation.ALTERATION,
            object_type="account_lock",
            object_id=key,
            actor=by,
            fields=["locked_until"],
        )
    return bool(removed)
