"""The outbox forgets recipients 30 days after sending, and recovers from dead workers."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from procrastinate.contrib.django.models import ProcrastinateJob

from cairn.audit.models import AuditEvent
from cairn.notify.models import MessageStatus, OutboundMessage
from cairn.notify.services import deliver, forget_old_recipients, queue_message, requeue_stalled

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def queued(key: str, template: str = "verification_code") -> OutboundMessage:
    with transaction.atomic():
        return queue_message(
            channel="email",
            to="sam@example.scot",
            template=template,
            language="en",
            context={"code": "123456", "minutes": 10},
            idempotency_key=key,
        )


def test_the_recipient_is_erased_thirty_days_after_sending():
    with time_machine.travel(START, tick=False) as clock:
        sent = queued("sent")
        deliver(sent.pk)
        waiting = queued("waiting")
        clock.shift(timedelta(days=29, hours=23))
        assert forget_old_recipients() == 0
        clock.shift(timedelta(hours=2))
        assert forget_old_recipients() == 1
    sent.refresh_from_db()
    waiting.refresh_from_db()
    assert (sent.recipient, sent.body, sent.status) == ("", "", MessageStatus.SENT)
    assert sent.erased_at is not None
    assert waiting.recipient == "sam@example.scot"  # not sent yet: still needed
    erasure = AuditEvent.objects.get(operation="erasure", object_type="outbound_message")
    assert erasure.context["messages"] == 1


def test_a_message_left_sending_by_a_dead_worker_is_queued_again():
    with time_machine.travel(START, tick=False) as clock:
        message = queued("stalled")
        OutboundMessage.objects.filter(pk=message.pk).update(
            status=MessageStatus.SENDING, attempts=1, claimed_at=START
        )
        clock.shift(timedelta(minutes=9))
        assert requeue_stalled() == 0
        clock.shift(timedelta(minutes=2))
        assert requeue_stalled() == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert ProcrastinateJob.objects.filter(task_name="notify.deliver").count() == 2
    assert deliver(message.pk).status == MessageStatus.SENT


def test_a_stalled_message_on_its_last_attempt_is_given_up(settings):
    settings.CAIRN_NOTIFY_MAX_ATTEMPTS = 2
    message = queued("stalled-twice")
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, attempts=2, claimed_at=START
    )
    assert requeue_stalled() == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.last_error == "the delivery worker stopped while sending"
