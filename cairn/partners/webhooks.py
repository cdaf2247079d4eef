"""Announce referrals to an agency's system: signed webhooks, retried, each delivery recorded.

``enqueue`` runs in the transaction of the referral change: the delivery row
and its task commit with the change or not at all. ``deliver`` is the task's
work, shaped like the message outbox (``cairn.notify.services``): claim the
row (``SKIP LOCKED``, then "sending"), POST outside any transaction, record
the answer.

What goes out::

    POST <agency.webhook_url>
    Content-Type: application/json
    X-Cairn-Event: referral.made
    X-Cairn-Delivery: <uuid, the same on every retry: drop one you have seen>
    X-Cairn-Timestamp: <unix seconds of this attempt>
    X-Cairn-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the agency's secret>

    {"delivery_id": "…", "event": "referral.made", "occurred_at": "…",
     "referral": {"reference": "REF-…", "status": "sent", "service_type": "…",
                  "api_url": "…/api/v1/partners/referrals/REF-…", "portal_url": "…"}}

No personal data: the agency fetches the referral over the API with its key,
and that read is audited as the disclosure. A 2xx answer is delivered; a 5xx,
408, 425, 429, a timeout or no connection is tried again after a backoff; any
other answer fails at once (the URL or the secret needs fixing).
"""

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cairn.events.services import record_event
from cairn.partners.models import DeliveryStatus, Referral, WebhookDelivery

logger = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({408, 425, 429})
MAX_BACKOFF_SECONDS = 3600
DEFAULT_RETRY_SECONDS = 30
DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_TIMEOUT_SECONDS = 10.0
STALLED_AFTER = timedelta(minutes=10)
SIGNATURE_HEADER = "X-Cairn-Signature"
TIMESTAMP_HEADER = "X-Cairn-Timestamp"


def retry_seconds() -> int:
    return int(getattr(settings, "CAIRN_PARTNER_WEBHOOK_RETRY_SECONDS", DEFAULT_RETRY_SECONDS))


def max_attempts() -> int:
    return int(getattr(settings, "CAIRN_PARTNER_WEBHOOK_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def backoff_seconds(attempts: int) -> int:
    """Wait before attempt ``attempts + 1``: base × 4^(attempts − 1), at most an hour."""
    return min(retry_seconds() * 4 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Cairn-Signature value: ``sha256=`` and the hex HMAC of ``timestamp.body``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def verify(secret: str, timestamp: str, body: bytes, header: str, *, tolerance: int = 300) -> bool:
    """What a receiver does (a reference for docs/partners.md and for the tests)."""
    try:
        fresh = abs(time.time() - int(timestamp)) <= tolerance
    except ValueError:
        return False
    return fresh and hmac.compare_digest(signature(secret, timestamp, body), header)


def _absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def payload_for(referral: Referral, event: str, delivery_id: str, at: datetime) -> dict:
    return {
        "delivery_id": delivery_id,
        "event": event,
        "occurred_at": at.isoformat(),
        "referral": {
            "reference": referral.reference,
            "status": referral.status,
            "service_type": referral.service.service_type,
            "api_url": _absolute(f"/api/v1/partners/referrals/{referral.reference}"),
            "portal_url": _absolute(
                reverse("workspace:partners_referral", args=[referral.reference])
            ),
        },
    }


def enqueue(referral: Referral, event: str) -> WebhookDelivery | None:
    """Record a delivery to the referral's agency and defer its task, in the caller's
    transaction. None when the agency takes no webhooks."""
    agency = referral.agency
    if not agency.announces_by_webhook:
        return None
    with transaction.atomic():
        delivery = WebhookDelivery(agency=agency, referral=referral, event=event)
        delivery.url = agency.webhook_url
        delivery.payload = payload_for(
            referral, event, str(delivery.delivery_id), delivery.created_at
        )
        delivery.save(force_insert=True)
        from cairn.partners.tasks import deliver_webhook

        deliver_webhook.defer(delivery_pk=delivery.pk)
    return delivery


# Delivery ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """What one attempt came to: the row's status afterwards and when to try again."""

    status: str  # "" when there was nothing to send (delivered already, or being sent)
    retry_in: int | None = None


@dataclass(frozen=True)
class Answer:
    accepted: bool
    status_code: int | None = None
    error: str = ""
    retryable: bool = False


def _claim(delivery_pk: int, now: datetime) -> WebhookDelivery | None:
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("agency")
            .filter(pk=delivery_pk, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None:
            return None
        delivery.status = DeliveryStatus.SENDING
        delivery.attempts += 1
        delivery.claimed_at = now
        delivery.save(update_fields=["status", "attempts", "claimed_at"])
    return delivery


def _post(delivery: WebhookDelivery) -> Answer:
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Cairn",
        "X-Cairn-Event": delivery.event,
        "X-Cairn-Delivery": str(delivery.delivery_id),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(delivery.agency.webhook_secret, timestamp, body),
    }
    timeout = float(
        getattr(settings, "CAIRN_PARTNER_WEBHOOK_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS)
    )
    schemes = ("https://",) if settings.PRODUCTION else ("https://", "http://")
    if not delivery.url.startswith(schemes):
        return Answer(False, error="the webhook URL must be https")
    try:
        response = httpx.post(delivery.url, content=body, headers=headers, timeout=timeout)
    except httpx.TimeoutException:
        return Answer(False, error=f"no answer in {timeout:g} s", retryable=True)
    except httpx.HTTPError as error:
        return Answer(False, error=f"could not connect ({type(error).__name__})", retryable=True)
    code = response.status_code
    if 200 <= code < 300:
        return Answer(True, status_code=code)
    return Answer(
        False,
        status_code=code,
        error=f"the webhook answered HTTP {code}",
        retryable=code >= 500 or code in RETRYABLE_STATUS,
    )


def _settle(delivery: WebhookDelivery, answer: Answer, now: datetime) -> Attempt:
    delivery.last_status_code = answer.status_code
    delivery.last_error = answer.error[:200]
    fields = ["status", "last_status_code", "last_error"]
    retry_in = None
    if answer.accepted:
        delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, now
        fields.append("delivered_at")
    elif answer.retryable and delivery.attempts < max_attempts():
        delivery.status = DeliveryStatus.PENDING
        retry_in = backoff_seconds(delivery.attempts)
    else:
        delivery.status, delivery.failed_at = DeliveryStatus.FAILED, now
        fields.append("failed_at")
    with transaction.atomic():
        delivery.save(update_fields=fields)
        if delivery.status != DeliveryStatus.PENDING:
            record_event(
                f"referral.webhook_{delivery.status}",
                subject_type="referral",
                subject_id=delivery.referral_id,
                data={
                    "agency": delivery.agency_id,
                    "delivery": delivery.pk,
                    "event": delivery.event,
                    "attempts": delivery.attempts,
                    "status_code": delivery.last_status_code,
                },
            )
    if not answer.accepted:
        logger.warning(
            "webhook delivery %s attempt %s: %s", delivery.pk, delivery.attempts, answer.error
        )
    return Attempt(status=delivery.status, retry_in=retry_in)


def deliver(delivery_pk: int) -> Attempt:
    """One attempt to deliver a pending webhook (the task's work)."""
    delivery = _claim(delivery_pk, timezone.now())
    if delivery is None:
        return Attempt(status="")
    return _settle(delivery, _post(delivery), timezone.now())


def requeue_stalled(now: datetime | None = None) -> int:
    """Deliveries a dead worker left "sending" go back in the queue (or fail after the last try)."""
    from cairn.partners.tasks import deliver_webhook

    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        stalled = WebhookDelivery.objects.select_for_update(skip_locked=True).filter(
            status=DeliveryStatus.SENDING, claimed_at__lt=now - STALLED_AFTER
        )
        for delivery in stalled:
            delivery.last_error = "the delivery worker stopped while sending"
            if delivery.attempts >= max_attempts():
                delivery.status, delivery.failed_at = DeliveryStatus.FAILED, now
                delivery.save(update_fields=["status", "last_error", "failed_at"])
            else:
                delivery.status = DeliveryStatus.PENDING
                delivery.save(update_fields=["status", "last_error"])
                deliver_webhook.defer(delivery_pk=delivery.pk)
            count += 1
    return count
