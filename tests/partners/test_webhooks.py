"""Webhooks to a partner's system: a real local HTTP server, the real worker, real retries.

The receiver checks the signature the way docs/partners.md tells partners to
(HMAC-SHA256 of "<timestamp>.<body>" with their secret), written out here
rather than calling Cairn's own helper.
"""

import hashlib
import hmac
import json
import time
import uuid

import pytest
from django.db import transaction

from cairn.events.models import DomainEvent
from cairn.partners.models import ContactRoute, DeliveryStatus, WebhookDelivery
from cairn.partners.services import new_webhook_secret, withdraw_referral
from cairn.partners.webhooks import backoff_seconds
from tests.partners.conftest import refer
from tests.partners.fake_partner import FakePartnerSystem, run_worker
from tests.workers import forget_jobs

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def partner_system(settings):
    settings.CAIRN_PARTNER_WEBHOOK_RETRY_SECONDS = 0  # retries due at once for the worker
    system = FakePartnerSystem()
    yield system
    system.close()


@pytest.fixture
def secret(directory, partner_system):
    agency = directory.dbi
    agency.contact_route = ContactRoute.API
    agency.webhook_url = partner_system.url
    agency.save()
    return new_webhook_secret(agency)


def receiver_accepts(request: dict, secret: str) -> bool:
    """What a partner's receiver does with one request."""
    headers = {name.lower(): value for name, value in request["headers"].items()}
    timestamp = headers["x-cairn-timestamp"]
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + request["body"], hashlib.sha256
    ).hexdigest()
    fresh = abs(time.time() - int(timestamp)) < 300
    return fresh and hmac.compare_digest(f"sha256={expected}", headers["x-cairn-signature"])


def test_a_new_referral_is_announced_signed_and_without_personal_data(
    case, directory, handler, partner_system, secret
):
    referral = refer(case, directory.dbi_service, handler)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.event == "referral.made"
    assert partner_system.requests == [], "nothing is sent before the worker runs"

    run_worker()

    assert len(partner_system.requests) == 1
    request = partner_system.requests[0]
    assert receiver_accepts(request, secret)
    assert not receiver_accepts(request, "whsec_someone-elses-secret")
    assert request["headers"]["X-Cairn-Event"] == "referral.made"
    assert request["headers"]["X-Cairn-Delivery"] == str(delivery.delivery_id)
    payload = json.loads(request["body"])
    assert payload["delivery_id"] == str(delivery.delivery_id)
    assert payload["referral"]["reference"] == referral.reference
    assert payload["referral"]["api_url"].endswith(
        f"/api/v1/partners/referrals/{referral.reference}"
    )
    body = request["body"].decode()
    for personal in ("Morag", "07700", "Distressed", referral.case.reference):
        assert personal not in body
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 1 and delivery.last_status_code == 204
    assert delivery.delivered_at is not None
    assert DomainEvent.objects.filter(
        name="referral.webhook_delivered", subject_id=str(referral.pk)
    ).exists()


def test_a_500_is_retried_with_the_same_delivery_id(
    case, directory, handler, partner_system, secret
):
    partner_system.failures = 2
    refer(case, directory.dbi_service, handler)

    run_worker()

    assert len(partner_system.requests) == 3
    ids = {request["headers"]["X-Cairn-Delivery"] for request in partner_system.requests}
    assert len(ids) == 1, "the receiver can drop a repeat by its delivery id"
    assert all(receiver_accepts(request, secret) for request in partner_system.requests)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 3 and delivery.last_status_code == 204
    assert delivery.last_error == ""


def test_a_4xx_fails_at_once_and_the_last_retry_gives_up(
    case, directory, handler, partner_system, secret, settings
):
    partner_system.failures, partner_system.failure_status = 1, 410
    refer(case, directory.dbi_service, handler)
    run_worker()
    gone = WebhookDelivery.objects.get()
    assert gone.status == DeliveryStatus.FAILED and gone.attempts == 1
    assert gone.last_status_code == 410 and gone.failed_at is not None

    settings.CAIRN_PARTNER_WEBHOOK_MAX_ATTEMPTS = 3
    partner_system.failures, partner_system.failure_status = 10, 503
    refer(case, directory.dbi_service, handler)
    run_worker()
    tired = WebhookDelivery.objects.exclude(pk=gone.pk).get()
    assert tired.status == DeliveryStatus.FAILED and tired.attempts == 3
    assert DomainEvent.objects.filter(name="referral.webhook_failed").count() == 2


def test_a_withdrawal_is_announced_too(case, directory, handler, partner_system, secret):
    referral = refer(case, directory.dbi_service, handler)
    withdraw_referral(referral, reason="The person asked us to.", actor=handler)
    run_worker()
    assert [p["event"] for p in partner_system.payloads()] == [
        "referral.made",
        "referral.withdrawn",
    ]
    assert all(p["referral"]["reference"] == referral.reference for p in partner_system.payloads())
    assert len({uuid.UUID(p["delivery_id"]) for p in partner_system.payloads()}) == 2


def test_a_rolled_back_referral_announces_nothing(case, directory, handler, partner_system, secret):
    with pytest.raises(RuntimeError), transaction.atomic():
        refer(case, directory.dbi_service, handler)
        raise RuntimeError("something after the referral failed")
    run_worker()
    assert partner_system.requests == []
    assert not WebhookDelivery.objects.exists()


def test_a_portal_agency_gets_no_webhook(case, directory, handler, partner_system):
    refer(case, directory.victim_service, handler)
    run_worker()
    assert partner_system.requests == [] and not WebhookDelivery.objects.exists()


def test_backoff_grows_and_is_capped(settings):
    settings.CAIRN_PARTNER_WEBHOOK_RETRY_SECONDS = 30
    assert [backoff_seconds(n) for n in (1, 2, 3, 4, 5)] == [30, 120, 480, 1920, 3600]


def test_production_sends_only_to_https(case, directory, handler, partner_system, secret, settings):
    settings.PRODUCTION = True
    refer(case, directory.dbi_service, handler)
    run_worker()
    assert partner_system.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "the webhook URL must be https"


def test_a_delivery_a_dead_worker_left_sending_is_sent_again(
    case, directory, handler, partner_system, secret
):
    from datetime import timedelta

    from django.utils import timezone

    from cairn.partners.webhooks import requeue_stalled

    refer(case, directory.dbi_service, handler)
    forget_jobs()  # the worker died with the job: only the row remembers it
    WebhookDelivery.objects.update(
        status=DeliveryStatus.SENDING, attempts=1, claimed_at=timezone.now() - timedelta(hours=1)
    )
    assert requeue_stalled() == 1
    run_worker()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2
    assert len(partner_system.requests) == 1
