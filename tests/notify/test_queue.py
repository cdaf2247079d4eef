"""Queueing: in the caller's transaction, once per key, nothing for a rollback."""

import json

import pytest
from django.db import transaction
from procrastinate.contrib.django.models import ProcrastinateJob

from cairn.audit.models import AuditEvent
from cairn.events.models import DomainEvent
from cairn.notify.models import MessageStatus, OutboundMessage
from cairn.notify.rendering import UnknownTemplate
from cairn.notify.services import InvalidRecipient, queue_message


def queue(**overrides):
    arguments = {
        "channel": "sms",
        "to": "07911 123456",
        "template": "verification_code",
        "language": "en",
        "context": {"code": "123456", "minutes": 10},
        "idempotency_key": "test-1",
    } | overrides
    with transaction.atomic():
        return queue_message(**arguments)


@pytest.mark.django_db
def test_a_queued_message_has_its_row_job_audit_and_event_together():
    message = queue()
    assert message.status == MessageStatus.QUEUED
    assert message.recipient == "+447911123456"
    assert message.body.startswith("123456 is your code")
    job = ProcrastinateJob.objects.get(task_name="notify.deliver")
    assert (job.queue_name, job.args) == ("notify", {"message_id": message.pk})
    audit = AuditEvent.objects.get(object_type="outbound_message", object_id=str(message.pk))
    assert (audit.operation, audit.fields) == ("collection", ["body", "recipient"])
    event = DomainEvent.objects.get(name="message.queued")
    assert event.data == {"template": "verification_code", "language": "en"}
    assert "+447911123456" not in json.dumps(event.data) + json.dumps(audit.context)


@pytest.mark.django_db(transaction=True)
def test_a_message_queued_in_a_transaction_that_rolls_back_is_never_sent():
    class ChangedMind(Exception):
        pass

    with pytest.raises(ChangedMind), transaction.atomic():
        queue()
        raise ChangedMind
    assert not OutboundMessage.objects.exists()
    assert not ProcrastinateJob.objects.filter(task_name="notify.deliver").exists()


@pytest.mark.django_db
def test_the_same_key_queues_one_message():
    first = queue()
    again = queue(context={"code": "999999", "minutes": 10})
    assert again.pk == first.pk
    assert "999999" not in again.body
    assert ProcrastinateJob.objects.filter(task_name="notify.deliver").count() == 1


@pytest.mark.django_db
def test_email_addresses_are_kept_in_lower_case():
    message = queue(channel="email", to="  Sam.Reporter@Example.SCOT ", idempotency_key="e")
    assert message.recipient == "sam.reporter@example.scot"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("channel", "to"),
    [
        ("sms", "call me maybe"),
        ("sms", "01"),
        ("email", "sam at example.scot"),
        ("fax", "fax:+441314960000"),
    ],
)
def test_an_address_the_channel_cannot_reach_is_refused_without_repeating_it(channel, to):
    with pytest.raises(InvalidRecipient) as refused:
        queue(channel=channel, to=to)
    assert to not in str(refused.value)
    assert not OutboundMessage.objects.exists()


@pytest.mark.django_db
def test_an_unknown_template_is_refused():
    with pytest.raises(UnknownTemplate):
        queue(template="no_such_template")
    with pytest.raises(UnknownTemplate):
        queue(template="../../settings")
