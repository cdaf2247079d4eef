"""Email through real SMTP: the worker sends to a local SMTP server and records the outcome."""

import pytest
from django.db import transaction

from cairn.audit.context import acting_as
from cairn.cases.services import close_case, open_case
from cairn.events.models import DomainEvent
from cairn.notify.models import MessageStatus, OutboundMessage
from cairn.notify.services import deliver, queue_message
from tests.cases.conftest import handler, new_contact  # noqa: F401 (fixture)
from tests.notify.conftest import run_worker
from tests.support_smtp import smtp_server  # noqa: F401 (fixture)


def queue_email(key="email-1", to="Sam.Reporter@Example.scot", language="en"):
    with transaction.atomic():
        return queue_message(
            channel="email",
            to=to,
            template="case_updated",
            language=language,
            context={"reference": "CRN-261124-00042", "link": "https://cairn.example/track/x/"},
            idempotency_key=key,
        )


@pytest.mark.django_db(transaction=True)
def test_a_queued_email_is_delivered_over_smtp_by_the_worker_and_marked_sent(smtp_server):  # noqa: F811
    message = queue_email()
    run_worker()
    [received] = smtp_server.wait_for(1)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.sent_at is not None
    assert received.recipients == ["sam.reporter@example.scot"]
    assert received.subject == "An update on your report CRN-261124-00042"
    assert "https://cairn.example/track/x/" in received.body
    assert received.message["Auto-Submitted"] == "auto-generated"
    # The delivery status names the message the server took: its Message-ID.
    assert message.provider_message_id == received.message_id
    assert DomainEvent.objects.filter(name="message.sent", subject_id=str(message.pk)).exists()


@pytest.mark.django_db(transaction=True)
def test_closing_a_case_emails_the_person_in_their_language_over_smtp(smtp_server, handler):  # noqa: F811
    with acting_as("web"):
        contact = new_contact(language="pl", reporter_email="ola@example.org")
    case = open_case(contact, category="crime.theft", actor=handler)
    close_case(case, outcome="no_crime", public_message="Koniec.", actor=handler)
    run_worker()
    [received] = smtp_server.wait_for(1)
    assert received.recipients == ["ola@example.org"]
    assert received.subject == f"Twoje zgłoszenie {contact.reference} zostało zamknięte"
    assert f"/pl/track/{contact.reference}/?t=" in received.body
    assert "Koniec." not in received.body  # a link, not what happened


@pytest.mark.django_db
def test_a_mailbox_refused_for_good_is_marked_failed_without_another_try(smtp_server):  # noqa: F811
    smtp_server.refuse("gone@example.org", 550)
    message = queue_email(to="gone@example.org")
    assert deliver(message.pk).status == MessageStatus.FAILED
    message.refresh_from_db()
    assert message.last_error == "refused by the mail server (SMTPRecipientsRefused 550)"
    assert "gone@example.org" not in message.last_error
    assert smtp_server.messages == []


@pytest.mark.django_db
def test_a_temporary_refusal_is_tried_again_later_and_then_sent(smtp_server):  # noqa: F811
    smtp_server.refuse("busy@example.org", 451)
    message = queue_email(to="busy@example.org")
    delivery = deliver(message.pk)
    assert delivery.status == MessageStatus.QUEUED
    assert delivery.retry_in is not None
    message.refresh_from_db()
    assert message.last_error == "refused by the mail server (SMTPRecipientsRefused 451)"
    smtp_server.refusals.clear()
    assert deliver(message.pk).status == MessageStatus.SENT
    assert len(smtp_server.wait_for(1)) == 1
    assert OutboundMessage.objects.get(pk=message.pk).attempts == 2
