"""``message.sent`` says how long after queueing the message went (updates sent on time)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cairn.events.models import DomainEvent
from cairn.notify.models import OutboundMessage
from tests.notify.conftest import run_worker
from tests.notify.test_delivery import queue_email, queue_sms


def sent_event(message: OutboundMessage) -> dict:
    return DomainEvent.objects.get(name="message.sent", subject_id=str(message.pk)).data


@pytest.mark.django_db(transaction=True)
def test_a_message_sent_by_the_worker_says_how_long_it_waited():
    message = queue_email()
    # Queued 20 minutes ago, as if the workers had been down.
    OutboundMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(minutes=20)
    )
    run_worker()

    data = sent_event(message)
    assert 1200 <= data["seconds_to_send"] < 1260
    assert set(data) == {"template", "attempts", "seconds_to_send"}


@pytest.mark.django_db(transaction=True)
def test_the_wait_counts_the_retries(sms_provider, no_backoff):
    sms_provider.failures = 2
    message = queue_sms()
    run_worker()

    sent = OutboundMessage.objects.get(pk=message.pk)
    data = sent_event(message)
    assert data["attempts"] == 3
    assert data["seconds_to_send"] == round((sent.sent_at - sent.created_at).total_seconds(), 3)
    assert "seconds_to_send" not in DomainEvent.objects.get(name="message.queued").data
