"""Two bookings racing for the last place, each on its own thread and database connection."""

import threading

import pytest
from django.db import connection, connections, transaction

from cairn.appointments.models import Appointment
from cairn.appointments.services import SlotTaken, book_appointment
from tests.appointments.conftest import make_slot, new_contact, waiting_for_appointment

pytestmark = pytest.mark.django_db(transaction=True)


def _someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def _in_a_thread(target, *args):
    def run():
        try:
            target(*args)
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_the_second_booking_waits_for_the_first_and_finds_the_slot_full(handler, edinburgh):
    slot = make_slot(capacity=1)
    first, second = new_contact(), new_contact(reporter_email="sam@example.org")
    first_case = waiting_for_appointment(first, handler)
    second_case = waiting_for_appointment(second, handler)
    first_has_place, let_first_commit = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def book_first():
        with transaction.atomic():
            book_appointment(first_case, first, slot, actor=handler, via="call")
            first_has_place.set()
            let_first_commit.wait(timeout=30)
        outcomes["first"] = "booked"

    def book_second():
        try:
            book_appointment(second_case, second, slot, actor=None, via="online")
            outcomes["second"] = "booked"
        except SlotTaken:
            outcomes["second"] = "taken"

    one = _in_a_thread(book_first)
    assert first_has_place.wait(timeout=30)
    two = _in_a_thread(book_second)
    # The second is now blocked on the slot's row, held by the first's open transaction.
    for _attempt in range(600):
        if _someone_waits_for_a_lock():
            break
        threading.Event().wait(0.05)
    else:
        pytest.fail("the second booking never waited for the first")
    let_first_commit.set()
    one.join(timeout=30)
    two.join(timeout=30)

    assert outcomes == {"first": "booked", "second": "taken"}
    slot.refresh_from_db()
    assert slot.booked == 1
    assert list(Appointment.objects.values_list("contact_id", flat=True)) == [first.pk]


def test_of_four_racing_for_two_places_exactly_two_win(handler, edinburgh):
    slot = make_slot(capacity=2)
    people = [new_contact(reporter_email=f"p{n}@example.org") for n in range(4)]
    cases = [waiting_for_appointment(person, handler) for person in people]
    start = threading.Barrier(4)
    results: list[str] = []

    def book(case, contact):
        start.wait(timeout=30)
        try:
            book_appointment(case, contact, slot, actor=None, via="online")
            results.append("booked")
        except SlotTaken:
            results.append("taken")

    threads = [_in_a_thread(book, case, person) for case, person in zip(cases, people, strict=True)]
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == ["booked", "booked", "taken", "taken"]
    slot.refresh_from_db()
    assert slot.booked == 2
    assert Appointment.objects.count() == 2
