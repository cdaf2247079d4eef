"""Reminders: the day before and the hour before, each once, only for booked appointments."""

from datetime import timedelta

import pytest
from procrastinate.contrib.django import app

from cairn.appointments.reminders import send_due_reminders
from cairn.appointments.services import (
    book_appointment,
    cancel_appointment,
    move_appointment,
)
from cairn.appointments.tasks import send_appointment_reminders
from cairn.notify.models import OutboundMessage
from tests.appointments.conftest import at, make_slot, new_contact, waiting_for_appointment

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointment(case, contact, slot, handler):
    return book_appointment(case, contact, slot, actor=handler, via="call")


def reminders() -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(template="appointment_reminder").order_by("pk"))


def test_the_day_before_reminder_goes_once(appointment, slot):
    day_before = slot.starts_at - timedelta(hours=23)

    assert send_due_reminders(day_before) == {"day": 1, "hour": 0}
    assert send_due_reminders(day_before + timedelta(minutes=5)) == {"day": 0, "hour": 0}

    (message,) = reminders()
    assert "tomorrow" in message.body
    assert message.recipient == "morag.macleod@example.org"
    appointment.refresh_from_db()
    assert appointment.reminded_day_before_at == day_before


def test_the_hour_before_reminder_goes_once_after_the_day_before(appointment, slot):
    send_due_reminders(slot.starts_at - timedelta(hours=20))

    assert send_due_reminders(slot.starts_at - timedelta(minutes=55)) == {"day": 0, "hour": 1}
    assert send_due_reminders(slot.starts_at - timedelta(minutes=50)) == {"day": 0, "hour": 0}

    day, hour = reminders()
    assert "in an hour" in hour.body
    assert day.idempotency_key != hour.idempotency_key


def test_nothing_is_due_too_early_or_after_the_start(appointment, slot):
    assert send_due_reminders(slot.starts_at - timedelta(hours=25)) == {"day": 0, "hour": 0}
    assert send_due_reminders(slot.starts_at + timedelta(minutes=1)) == {"day": 0, "hour": 0}
    assert reminders() == []


def test_a_late_run_sends_the_hour_reminder_not_both(appointment, slot):
    assert send_due_reminders(slot.starts_at - timedelta(minutes=30)) == {"day": 0, "hour": 1}


def test_cancelled_and_moved_appointments_are_not_reminded(case, contact, slot, handler):
    appointment = book_appointment(case, contact, slot, actor=handler, via="call")
    later = make_slot(starts_at=at(6))
    moved_to = move_appointment(appointment, later, actor=None, via="online")
    other = new_contact(reporter_email="other@example.org")
    other_slot = make_slot(starts_at=at(3, 11))
    cancelled = book_appointment(
        waiting_for_appointment(other, handler), other, other_slot, actor=handler, via="call"
    )
    cancel_appointment(cancelled, reason="", actor=None, via="online")

    assert send_due_reminders(slot.starts_at - timedelta(hours=23)) == {"day": 0, "hour": 0}
    assert send_due_reminders(later.starts_at - timedelta(hours=23)) == {"day": 1, "hour": 0}
    assert str(moved_to.pk) in reminders()[0].idempotency_key


def test_an_appointment_booked_within_the_day_gets_only_the_hour_reminder(
    case, contact, handler, edinburgh
):
    from django.utils import timezone

    soon = make_slot(starts_at=timezone.now() + timedelta(hours=5))
    book_appointment(case, contact, soon, actor=handler, via="call", public_protection=True)

    assert send_due_reminders(soon.starts_at - timedelta(hours=4)) == {"day": 0, "hour": 0}
    assert send_due_reminders(soon.starts_at - timedelta(minutes=40)) == {"day": 0, "hour": 1}


def test_the_reminders_run_every_five_minutes_as_a_periodic_task(appointment, slot):
    periodic = {task.periodic_id: task for task in app.periodic_registry.periodic_tasks.values()}
    assert periodic["appointments-reminders"].cron == "*/5 * * * *"

    assert send_appointment_reminders(timestamp=0) == {"day": 0, "hour": 0}
