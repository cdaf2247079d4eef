import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from cairn.throttle.models import Attempt


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    window: timedelta


def _hash(scope: str, key: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{scope}:{key}".encode(), hashlib.sha256
    ).hexdigest()


def is_limited(limit: Limit, key: str) -> bool:
    """True when ``key`` has used up ``limit`` within its window."""
    since = timezone.now() - limit.window
    used = Attempt.objects.filter(
        scope=limit.scope, key_hash=_hash(limit.scope, key), at__gt=since
    ).count()
    return used >= limit.count


def count_attempt(limit: Limit, key: str) -> None:
    Attempt.objects.create(scope=limit.scope, key_hash=_hash(limit.scope, key), at=timezone.now())


def forget_old_attempts(older_than: timedelta = timedelta(days=1)) -> int:
    deleted, _ = Attempt.objects.filter(at__lt=timezone.now() - older_than).delete()
    return deleted
