"""Which slots are offered and in what order, the officer's list, and waiting times."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cairn.appointments.models import Appointment, AppointmentKind
from cairn.appointments.queries import (
    available_slots,
    may_book_online,
    officer_appointments,
    slots_by_day,
    waiting_times,
)
from cairn.appointments.services import book_appointment, cancel_appointment, record_outcome
from cairn.audit.models import AuditEvent, Operation
from tests.appointments.conftest import at, make_slot, new_contact, waiting_for_appointment

pytestmark = pytest.mark.django_db


def test_slots_come_soonest_first_without_full_withdrawn_or_other_divisions(edinburgh):
    later = make_slot(starts_at=at(5))
    sooner = make_slot(starts_at=at(3), kind=AppointmentKind.VIDEO)
    make_slot(starts_at=at(2), booked=1)  # full
    make_slot(starts_at=at(2, 11), withdrawn_at=timezone.now())
    make_slot(starts_at=at(2, 12), division_id="G")

    assert available_slots("E") == [sooner, later]
    assert available_slots("E", kinds=("phone",)) == [later]


def test_public_protection_has_first_pick_of_the_soonest_slots(edinburgh):
    tomorrow_morning = make_slot(starts_at=timezone.now() + timedelta(hours=16))
    next_week = make_slot(starts_at=at(7))

    assert available_slots("E", public_protection=True) == [tomorrow_morning, next_week]
    assert available_slots("E") == [next_week]


def test_slots_are_grouped_by_london_day_then_kind(edinburgh):
    video = make_slot(starts_at=at(3, 9), kind=AppointmentKind.VIDEO)
    station = make_slot(starts_at=at(3, 11), kind=AppointmentKind.IN_PERSON)
    phone = make_slot(starts_at=at(4, 9))

    days = slots_by_day(available_slots("E"))

    assert [day.day for day in days] == [at(3).date(), at(4).date()]
    assert days[0].kinds == [("in_person", [station]), ("video", [video])]
    assert days[1].kinds == [("phone", [phone])]


def test_the_officer_sees_their_own_and_their_divisions_appointments_audited(
    handler, officer, analyst, edinburgh
):
    mine = make_slot(starts_at=at(1), officer=officer)
    anyone = make_slot(starts_at=at(2))
    elsewhere = make_slot(starts_at=at(2), division_id="G")
    booked = []
    for n, slot in enumerate((mine, anyone, elsewhere)):
        contact = new_contact(reporter_email=f"p{n}@example.org")
        case = waiting_for_appointment(contact, handler)
        booked.append(
            book_appointment(case, contact, slot, actor=handler, via="call", public_protection=True)
        )

    listed = officer_appointments(user=officer, day=timezone.localdate())

    assert listed == booked[:2]
    audit = AuditEvent.objects.get(operation=Operation.CONSULTATION, object_type="appointment")
    assert audit.actor_username == "officer"
    with pytest.raises(PermissionDenied):
        officer_appointments(user=analyst, day=timezone.localdate())


def test_waiting_times_per_division_count_the_appointment_kept(handler, edinburgh):
    for n, days in enumerate((2, 4, 6, 8, 10)):
        contact = new_contact(reporter_email=f"w{n}@example.org")
        case = waiting_for_appointment(contact, handler)
        appointment = book_appointment(
            case, contact, make_slot(starts_at=at(days)), actor=handler, via="call"
        )
        if days == 10:
            cancel_appointment(appointment, reason="Not needed.", actor=handler)
    waits = sorted(
        Appointment.objects.exclude(status="cancelled").values_list("wait_minutes", flat=True)
    )

    (edinburgh_wait,) = waiting_times(timezone.now() - timedelta(days=1), timezone.now())

    assert edinburgh_wait.division == "E"
    assert edinburgh_wait.appointments == 4
    assert edinburgh_wait.median_minutes == pytest.approx((waits[1] + waits[2]) / 2, abs=0.1)
    assert waits[2] < edinburgh_wait.p90_minutes < waits[3]


def test_the_person_may_book_online_while_the_next_step_is_open_or_a_new_time_is_needed(
    case, contact, slot, handler
):
    assert may_book_online(contact)
    appointment = book_appointment(case, contact, slot, actor=handler, via="call")
    assert not may_book_online(contact)

    record_outcome(appointment, outcome="rescheduled", actor=handler)
    assert may_book_online(contact)


def test_a_contact_without_a_case_cannot_book_online(edinburgh):
    assert not may_book_online(new_contact())
