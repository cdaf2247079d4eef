"""Two handlers claiming one contact at the same moment, on real connections: one wins."""

import threading

import pytest
from django.db import connection

from cairn.accounts.roles import Role
from cairn.audit.context import acting_as
from cairn.contacts.models import Contact, Status
from cairn.contacts.services import ContactSubmission, receive_contact
from cairn.events.models import DomainEvent
from cairn.triage import services
from cairn.triage.models import Claim
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db(transaction=True)


def new_contact() -> Contact:
    with acting_as("web"):
        receipt = receive_contact(
            ContactSubmission(channel="web_form", narrative="My bike was stolen from the stair.")
        )
    return Contact.objects.get(pk=receipt.contact_id)


def claim_together(contact: Contact, handlers: list) -> tuple[list, list]:
    """Every handler claims ``contact`` at once, each on its own connection."""
    won, refused, unexpected = [], [], []
    barrier = threading.Barrier(len(handlers))

    def claim(handler):
        try:
            barrier.wait()
            won.append(services.claim_contact(contact, handler).handler)
        except services.AlreadyClaimed as refusal:
            refused.append(refusal)
        except Exception as error:  # reported below
            unexpected.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(handler,)) for handler in handlers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not unexpected
    return won, refused


def test_two_handlers_claiming_one_contact_exactly_one_wins():
    advisor = make_staff("advisor", Role.SERVICE_ADVISOR)
    operator = make_staff("controlroom", Role.CONTROL_ROOM_OPERATOR)
    for _attempt in range(5):  # a race lost by luck once would not show the rule
        contact = new_contact()
        won, refused = claim_together(contact, [advisor, operator])
        assert len(won) == 1
        assert len(refused) == 1
        winner = won[0]
        assert refused[0].handler == winner
        assert str(winner) in str(refused[0])
        assert Claim.objects.get(contact=contact).handler == winner
        contact.refresh_from_db()
        assert contact.status == Status.IN_ASSESSMENT
        claimed = DomainEvent.objects.filter(name="contact.claimed", subject_id=str(contact.pk))
        assert claimed.count() == 1


def test_many_handlers_at_once_still_make_one_claim():
    handlers = [make_staff(f"handler{n}", Role.SERVICE_ADVISOR) for n in range(6)]
    contact = new_contact()
    won, refused = claim_together(contact, handlers)
    assert len(won) == 1
    assert len(refused) == 5
    assert Claim.objects.filter(contact=contact).count() == 1
    changes = DomainEvent.objects.filter(name="contact.status_changed", subject_id=str(contact.pk))
    assert changes.count() == 1
