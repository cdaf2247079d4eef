"""Delivery: the real worker sends queued messages, retries with backoff, gives up."""

import socket
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connections, transaction
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from cairn.events.models import DomainEvent
from cairn.notify.models import MessageStatus, OutboundMessage
from cairn.notify.services import backoff_seconds, deliver, queue_message
from tests.notify.conftest import TOKEN, run_worker

NUMBER = "+447911123456"


def queue_sms(key="sms-1", to="07911 123456"):
    with transaction.atomic():
        return queue_message(
            channel="sms",
            to=to,
            template="verification_code",
            language="en",
            context={"code": "123456", "minutes": 10},
            idempotency_key=key,
        )


def queue_email(key="email-1", to="Sam.Reporter@Example.scot"):
    with transaction.atomic():
        return queue_message(
            channel="email",
            to=to,
            template="verification_code",
            language="en",
            context={"code": "654321", "minutes": 10},
            idempotency_key=key,
        )


def fresh(message: OutboundMessage) -> OutboundMessage:
    message.refresh_from_db()
    return message


# The worker ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_a_queued_email():
    message = queue_email()
    run_worker()
    message = fresh(message)
    assert message.status == MessageStatus.SENT
    assert message.attempts == 1
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["sam.reporter@example.scot"]
    assert "654321 is your code" in sent.body
    assert sent.subject == "Your code to see your contacts with Police Scotland"
    assert message.provider_message_id == sent.extra_headers["Message-ID"]
    assert ProcrastinateJob.objects.get(task_name="notify.deliver").status == "succeeded"
    assert DomainEvent.objects.filter(name="message.sent", subject_id=str(message.pk)).exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_posts_a_text_message_to_the_provider(sms_provider):
    message = queue_sms()
    run_worker()
    message = fresh(message)
    assert message.status == MessageStatus.SENT
    assert message.provider_message_id == "SM0001"
    [request] = sms_provider.requests
    assert request["path"] == "/messages"
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert request["headers"]["Idempotency-Key"] == "sms-1"
    assert request["json"]["to"] == NUMBER
    assert request["json"]["body"].startswith("123456 is your code")


@pytest.mark.django_db(transaction=True)
def test_a_text_refused_with_500_is_tried_again_and_then_sent(sms_provider, no_backoff):
    sms_provider.failures = 2
    message = queue_sms()
    run_worker()
    message = fresh(message)
    assert len(sms_provider.requests) == 3
    assert message.status == MessageStatus.SENT
    assert message.attempts == 3
    assert message.last_error == ""
    assert message.provider_message_id == "SM0003"
    job = ProcrastinateJob.objects.get(task_name="notify.deliver")
    assert (job.status, job.attempts) == ("succeeded", 3)


@pytest.mark.django_db(transaction=True)
def test_a_failed_attempt_waits_for_the_backoff_before_the_next(sms_provider, settings):
    settings.CAIRN_NOTIFY_RETRY_SECONDS = 30
    sms_provider.failures = 1
    message = queue_sms()
    before = timezone.now()
    run_worker()  # stops when nothing is due: the retry is 30 s away
    message = fresh(message)
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 1)
    assert message.last_error == "the SMS provider answered HTTP 500"
    job = ProcrastinateJob.objects.get(task_name="notify.deliver")
    assert job.status == "todo"
    assert job.scheduled_at >= before + timedelta(seconds=29)
    assert len(sms_provider.requests) == 1


@pytest.mark.django_db(transaction=True)
def test_a_text_still_failing_after_the_last_attempt_is_marked_failed(
    sms_provider, no_backoff, settings
):
    settings.CAIRN_NOTIFY_MAX_ATTEMPTS = 3
    sms_provider.failures = 10
    message = queue_sms()
    run_worker()
    message = fresh(message)
    assert len(sms_provider.requests) == 3
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 3)
    assert message.failed_at is not None
    # Our words only: the provider's answer echoed the number.
    assert message.last_error == "the SMS provider answered HTTP 500"
    assert message.body == ""  # a one-time code is not kept once it cannot be sent
    assert DomainEvent.objects.filter(name="message.failed", subject_id=str(message.pk)).exists()
    assert ProcrastinateJob.objects.get(task_name="notify.deliver").status == "succeeded"


# One attempt at a time (the service, without the worker) ----------------------------------------


@pytest.mark.django_db
def test_a_refusal_by_the_provider_is_not_tried_again(sms_provider):
    sms_provider.failures, sms_provider.failure_status = 1, 400
    message = queue_sms()
    assert deliver(message.pk).status == MessageStatus.FAILED
    assert fresh(message).last_error == "the SMS provider answered HTTP 400"
    assert len(sms_provider.requests) == 1


@pytest.mark.django_db
def test_a_provider_that_does_not_answer_in_time_is_tried_again_later(sms_provider, settings):
    settings.CAIRN_SMS_TIMEOUT_SECONDS = 0.2
    sms_provider.delay_seconds = 1.0
    message = queue_sms()
    delivery = deliver(message.pk)
    assert delivery.status == MessageStatus.QUEUED
    assert delivery.retry_in == backoff_seconds(1)
    assert fresh(message).last_error == "no answer from the SMS provider in 0.2 s"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db
def test_an_unreachable_mail_server_is_tried_again_later(settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": closed_port(), "timeout": 2},
        }
    }
    message = queue_email()
    delivery = deliver(message.pk)
    assert delivery.status == MessageStatus.QUEUED
    message = fresh(message)
    assert message.last_error == "mail server unavailable (ConnectionRefusedError)"
    assert message.body  # kept for the next attempt


@pytest.mark.django_db
def test_a_sent_message_is_not_sent_again():
    message = queue_email()
    assert deliver(message.pk).status == MessageStatus.SENT
    assert deliver(message.pk).status == ""
    assert len(mail.outbox) == 1
    assert fresh(message).body == ""  # the code went; the outbox keeps that it went, not the code


@pytest.mark.django_db(transaction=True)
def test_a_message_locked_by_one_worker_is_skipped_by_another():
    message = queue_email()

    def another_worker():
        try:
            return deliver(message.pk)
        finally:
            connections.close_all()

    with transaction.atomic():
        OutboundMessage.objects.select_for_update().get(pk=message.pk)
        with ThreadPoolExecutor(1) as pool:
            assert pool.submit(another_worker).result(timeout=10).status == ""
    assert mail.outbox == []
    assert deliver(message.pk).status == MessageStatus.SENT


def test_the_wait_between_attempts_grows_fourfold_up_to_an_hour(settings):
    settings.CAIRN_NOTIFY_RETRY_SECONDS = 30
    assert [backoff_seconds(n) for n in range(1, 7)] == [30, 120, 480, 1920, 3600, 3600]
