"""Cues are raised on new contacts before anyone claims them, so the queue can order by them."""

import pytest

from cairn.audit.context import acting_as
from cairn.contacts.models import Contact
from cairn.contacts.services import ContactSubmission, receive_contact
from cairn.triage.models import Cue, CueCheck
from cairn.triage.services import raise_pending_cues
from cairn.triage.tasks import raise_cues_on_new_contacts

pytestmark = pytest.mark.django_db

WORRYING = "My brother says he wants to kill himself and has gone out with a knife."
EVERYDAY = "My bike was taken from outside the library on Tuesday."


def received(narrative: str) -> Contact:
    with acting_as("web"):
        receipt = receive_contact(ContactSubmission(channel="web_form", narrative=narrative))
    return Contact.objects.get(pk=receipt.contact_id)


def test_the_sweep_raises_cues_on_new_contacts_once_each():
    worrying, everyday = received(WORRYING), received(EVERYDAY)
    assert raise_pending_cues() == 2
    assert Cue.objects.filter(contact=worrying).exists()
    assert not Cue.objects.filter(contact=everyday).exists()
    assert set(CueCheck.objects.values_list("contact", flat=True)) == {worrying.pk, everyday.pk}
    assert raise_pending_cues() == 0  # nothing new: nothing checked again


def test_the_worker_task_runs_the_sweep():
    contact = received(WORRYING)
    assert raise_cues_on_new_contacts(timestamp=0) == 1
    assert CueCheck.objects.filter(contact=contact).exists()


def test_drawing_the_queue_raises_cues_on_contacts_that_just_arrived(advisor, signed_in):
    contact = received(WORRYING)
    response = signed_in(advisor).get("/staff/queue/")
    assert response.status_code == 200
    assert Cue.objects.filter(contact=contact).exists()
