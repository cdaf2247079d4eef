"""Publishing a run of slots and withdrawing one."""

from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cairn.appointments.models import AppointmentSlot
from cairn.appointments.queries import available_slots
from cairn.appointments.services import book_appointment
from cairn.appointments.slot_services import SlotRun, publish_slots, withdraw_slot
from cairn.appointments.wording import LONDON
from cairn.events.models import DomainEvent

pytestmark = pytest.mark.django_db


def run_for(edinburgh, **changes) -> SlotRun:
    today = timezone.localdate(timezone.now(), LONDON)
    fields = {
        "division": edinburgh,
        "kind": "phone",
        "first_day": today + timedelta(days=2),
        "last_day": today + timedelta(days=8),
        "times": (time(9, 0), time(14, 30)),
        **changes,
    }
    return SlotRun(**fields)


def test_a_run_publishes_every_time_on_every_chosen_day_in_london_time(edinburgh, officer):
    run = run_for(edinburgh, weekdays=frozenset({0, 2}), capacity=3)

    added = publish_slots(run, actor=officer)

    days = [
        day for day in (run.first_day + timedelta(n) for n in range(7)) if day.weekday() in {0, 2}
    ]
    assert len(added) == 2 * len(days)
    starts = sorted(slot.starts_at.astimezone(LONDON) for slot in AppointmentSlot.objects.all())
    assert {(s.hour, s.minute) for s in starts} == {(9, 0), (14, 30)}
    assert all(slot.capacity == 3 for slot in AppointmentSlot.objects.all())
    event = DomainEvent.objects.get(name="appointment.slots_published")
    assert event.data["slots"] == len(added)
    assert event.data["places"] == 3 * len(added)


def test_publishing_the_same_run_again_adds_nothing(edinburgh, officer):
    publish_slots(run_for(edinburgh), actor=officer)
    count = AppointmentSlot.objects.count()

    assert publish_slots(run_for(edinburgh), actor=officer) == []
    assert AppointmentSlot.objects.count() == count


def test_in_person_slots_need_a_station_of_the_division(edinburgh, leith, officer):
    with pytest.raises(ValidationError) as refused:
        publish_slots(run_for(edinburgh, kind="in_person"), actor=officer)
    assert "station" in refused.value.message_dict

    falkirk = leith.__class__.objects.get(name="Falkirk")
    with pytest.raises(ValidationError):
        publish_slots(run_for(edinburgh, kind="in_person", station=falkirk), actor=officer)
    with pytest.raises(ValidationError):
        publish_slots(run_for(edinburgh, station=leith), actor=officer)

    assert publish_slots(run_for(edinburgh, kind="in_person", station=leith), actor=officer)


def test_only_slot_managers_publish(edinburgh, handler):
    with pytest.raises(PermissionDenied):
        publish_slots(run_for(edinburgh), actor=handler)


def test_a_withdrawn_slot_is_no_longer_offered(edinburgh, officer):
    (slot, *_rest) = publish_slots(run_for(edinburgh, times=(time(10, 0),)), actor=officer)
    slot = AppointmentSlot.objects.order_by("starts_at").first()

    withdraw_slot(slot, actor=officer)

    assert slot not in available_slots("E")
    assert DomainEvent.objects.filter(name="appointment.slot_withdrawn").count() == 1


def test_a_slot_with_bookings_is_not_withdrawn(case, contact, handler, officer, slot):
    book_appointment(case, contact, slot, actor=handler, via="call")

    with pytest.raises(ValidationError, match="1 appointment"):
        withdraw_slot(slot, actor=officer)


def test_the_demo_slots_fill_the_next_two_weeks_and_load_twice_without_change(db):
    from cairn.demo.appointments import load_demo_appointments
    from cairn.demo.data import load_demo_data

    load_demo_data()  # publishes the demo slots

    assert AppointmentSlot.objects.count() > 50
    assert load_demo_appointments() == 0
    kinds = set(AppointmentSlot.objects.values_list("kind", flat=True))
    assert kinds == {"in_person", "phone", "video", "home_visit"}
    assert available_slots("E", public_protection=True)
