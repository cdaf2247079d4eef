"""The work a decision left open, for the parts of Cairn that do that work.

A decision creates one next step (``decisions._create_next_step``). The app
that does the work (an appointment booked, a referral sent, an incident raised)
marks it done here, so the queue of open next steps is the work not yet done.
Work apps import this module; triage never imports them back.
"""

from django.db import transaction

from cairn.contacts.models import Contact
from cairn.events.services import record_event
from cairn.triage.models import NextStep, NextStepStatus


def open_next_step(contact: Contact, kind: str) -> NextStep | None:
    """The contact's open next step of ``kind``, if its current decision left one."""
    return (
        NextStep.objects.filter(contact_id=contact.pk, kind=kind, status=NextStepStatus.OPEN)
        .order_by("-created_at")
        .first()
    )


def complete_next_step(contact: Contact, kind: str) -> NextStep | None:
    """Mark the contact's open next step of ``kind`` done; None when there is none open.

    Runs in the caller's transaction (the booking or referral that did the work).
    """
    with transaction.atomic():
        step = (
            NextStep.objects.select_for_update()
            .filter(contact_id=contact.pk, kind=kind, status=NextStepStatus.OPEN)
            .order_by("-created_at")
            .first()
        )
        if step is None:
            return None
        step.status = NextStepStatus.DONE
        step.save(update_fields=["status"])
        record_event(
            "next_step.done",
            subject_type="contact",
            subject_id=contact.pk,
            division=contact.division_id or "",
            data={"kind": kind, "next_step": step.pk},
        )
        return step
