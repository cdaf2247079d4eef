"""Queue a message, deliver it, and keep the outbox tidy.

``queue_message`` runs in the caller's transaction: the outbox row, its audit
row, its event and the delivery task are written together, so a rolled-back
change sends nothing and a committed one is always sent (the task's job row
becomes visible to workers at commit). ``deliver`` is what the task does:
claim the row (``SELECT … FOR UPDATE SKIP LOCKED``, then status ``sending``,
so no two workers send it), send it outside any transaction, and record the
outcome: sent, queued again with a delay, or failed.
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import phonenumbers
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.events.services import record_event
from cairn.notify.channels import sender_for
from cairn.notify.channels.base import DeliveryResult
from cairn.notify.models import MessageChannel, MessageStatus, OutboundMessage
from cairn.notify.rendering import ONE_TIME_SECRETS, render_message

logger = logging.getLogger(__name__)

RECIPIENT_KEPT_FOR = timedelta(days=30)
STALLED_AFTER = timedelta(minutes=10)
MAX_BACKOFF_SECONDS = 3600
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class InvalidRecipient(ValueError):
    """The address cannot be sent to on that channel (the message does not repeat it)."""


def normalise_recipient(channel: str, to: str) -> str:
    """The address as the outbox stores it (lower-case email, E.164 number).

    Raises ``InvalidRecipient`` when it cannot be sent to on ``channel``; a form
    asking for an address checks it with this before anything is queued.
    """
    if channel == MessageChannel.EMAIL:
        address = (to or "").strip().lower()
        if not EMAIL.fullmatch(address) or len(address) > 254:
            raise InvalidRecipient("not an email address")
        return address
    if channel == MessageChannel.SMS:
        try:
            number = phonenumbers.parse(to or "", "GB")
        except phonenumbers.NumberParseException:
            raise InvalidRecipient("not a phone number") from None
        if not phonenumbers.is_valid_number(number):
            raise InvalidRecipient("not a phone number")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise InvalidRecipient(f"no channel {channel!r}")


def queue_message(
    *,
    channel: str,
    to: str,
    template: str,
    language: str,
    context: dict[str, Any],
    idempotency_key: str,
) -> OutboundMessage:
    """Put a message in the outbox, to be sent once the caller's transaction commits.

    The same ``idempotency_key`` again returns the first message and sends
    nothing more. Raises ``InvalidRecipient`` or ``rendering.UnknownTemplate``.
    """
    if not idempotency_key or len(idempotency_key) > 200:
        raise ValueError("an idempotency key of 1 to 200 characters is required")
    recipient = normalise_recipient(channel, to)
    with transaction.atomic():
        existing = OutboundMessage.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
        rendered = render_message(template, language, context)
        try:
            with transaction.atomic():
                message = OutboundMessage.objects.create(
                    channel=channel,
                    recipient=recipient,
                    template=template,
                    language=rendered.language,
                    subject=rendered.subject,
                    body=rendered.body,
                    idempotency_key=idempotency_key,
                )
        except IntegrityError:  # queued by a concurrent caller a moment ago
            return OutboundMessage.objects.get(idempotency_key=idempotency_key)
        record(
            Operation.COLLECTION,
            object_type="outbound_message",
            object_id=message.pk,
            fields=["recipient", "body"],
            context={"channel": channel, "template": template},
        )
        record_event(
            "message.queued",
            subject_type="outbound_message",
            subject_id=message.pk,
            channel=channel,
            data={"template": template, "language": rendered.language},
        )
        from cairn.notify.tasks import deliver_message

        deliver_message.defer(message_id=message.pk)
    return message


# Delivery ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """What one delivery attempt came to."""

    status: str  # the message's status afterwards; "" when there was nothing to send
    retry_in: int | None = None  # seconds until the next attempt, when one is due


def backoff_seconds(attempts: int) -> int:
    """Wait before attempt ``attempts + 1``: base × 4^(attempts − 1), at most an hour."""
    base = settings.CAIRN_NOTIFY_RETRY_SECONDS
    return min(base * 4 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)


def _claim(message_id: int, now: datetime) -> OutboundMessage | None:
    with transaction.atomic():
        message = (
            OutboundMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=MessageStatus.QUEUED)
            .first()
        )
        if message is None:
            return None  # sent, failed, or being sent by another worker
        message.status = MessageStatus.SENDING
        message.attempts += 1
        message.claimed_at = now
        message.save(update_fields=["status", "attempts", "claimed_at"])
    return message


def _send(message: OutboundMessage) -> DeliveryResult:
    try:
        return sender_for(message.channel).send(message)
    except Exception as error:  # a bug in a sender must not leave the row "sending"
        logger.error("sender for message %s raised %s", message.pk, type(error).__name__)
        return DeliveryResult(False, error=f"sender error ({type(error).__name__})", retryable=True)


def _finish(message: OutboundMessage, fields: list[str]) -> list[str]:
    if message.template in ONE_TIME_SECRETS:
        message.body = ""  # the code is no one's business once it has gone (or cannot)
        fields.append("body")
    return fields


def _settle(message: OutboundMessage, result: DeliveryResult, now: datetime) -> Delivery:
    fields = ["status", "last_error"]
    retry_in = None
    if result.accepted:
        message.status, message.sent_at, message.last_error = MessageStatus.SENT, now, ""
        message.provider_message_id = result.provider_message_id[:200]
        fields = _finish(message, [*fields, "sent_at", "provider_message_id"])
    elif result.retryable and message.attempts < settings.CAIRN_NOTIFY_MAX_ATTEMPTS:
        message.status, message.last_error = MessageStatus.QUEUED, result.error[:200]
        retry_in = backoff_seconds(message.attempts)
    else:
        message.status, message.failed_at = MessageStatus.FAILED, now
        message.last_error = result.error[:200]
        fields = _finish(message, [*fields, "failed_at"])
    with transaction.atomic():
        message.save(update_fields=fields)
        if message.status != MessageStatus.QUEUED:
            data: dict[str, Any] = {"template": message.template, "attempts": message.attempts}
            if message.status == MessageStatus.SENT:
                # Queued in the transaction of the change it tells of: the time the person
                # waited for the news (the public updates measure).
                data["seconds_to_send"] = round((now - message.created_at).total_seconds(), 3)
            record_event(
                f"message.{message.status}",
                subject_type="outbound_message",
                subject_id=message.pk,
                channel=message.channel,
                data=data,
            )
    return Delivery(status=message.status, retry_in=retry_in)


def deliver(message_id: int) -> Delivery:
    """One attempt to send a queued message (the delivery task's work)."""
    message = _claim(message_id, timezone.now())
    if message is None:
        return Delivery(status="")
    result = _send(message)
    return _settle(message, result, timezone.now())


def requeue_stalled(now: datetime | None = None) -> int:
    """Messages left "sending" by a worker that died: queue them again (or give up)."""
    from cairn.notify.tasks import deliver_message

    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        stalled = OutboundMessage.objects.select_for_update(skip_locked=True).filter(
            status=MessageStatus.SENDING, claimed_at__lt=now - STALLED_AFTER
        )
        for message in stalled:
            message.last_error = "the delivery worker stopped while sending"
            if message.attempts >= settings.CAIRN_NOTIFY_MAX_ATTEMPTS:
                message.status, message.failed_at = MessageStatus.FAILED, now
                message.save(update_fields=_finish(message, ["status", "last_error", "failed_at"]))
                record_event(
                    "message.failed",
                    subject_type="outbound_message",
                    subject_id=message.pk,
                    channel=message.channel,
                    data={"template": message.template, "attempts": message.attempts},
                )
            else:
                message.status = MessageStatus.QUEUED
                message.save(update_fields=["status", "last_error"])
                deliver_message.defer(message_id=message.pk)
            count += 1
    return count


def forget_old_recipients(now: datetime | None = None) -> int:
    """Erase the recipient and body of messages finished over 30 days ago (one audit row)."""
    now = now or timezone.now()
    cutoff = now - RECIPIENT_KEPT_FOR
    with transaction.atomic():
        erased = OutboundMessage.objects.filter(
            Q(status=MessageStatus.SENT, sent_at__lt=cutoff)
            | Q(status=MessageStatus.FAILED, failed_at__lt=cutoff),
            erased_at__isnull=True,
        ).update(recipient="", body="", erased_at=now)
        if erased:
            record(
                Operation.ERASURE,
                object_type="outbound_message",
                fields=["recipient", "body"],
                context={"messages": erased, "rule": "30 days after sending"},
            )
    return erased
