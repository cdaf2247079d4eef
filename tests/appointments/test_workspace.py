"""The workspace pages: booking during the call, my appointments, slots; who may use them."""

import pytest

from cairn.appointments.models import (
    Appointment,
    AppointmentKind,
    AppointmentSlot,
    AppointmentStatus,
)
from cairn.appointments.services import book_appointment
from cairn.audit.models import AuditEvent, Operation
from cairn.notify.models import OutboundMessage
from tests.appointments.conftest import at, make_slot

pytestmark = pytest.mark.django_db


def book_url(contact) -> str:
    return f"/staff/appointments/book/{contact.reference}/"


@pytest.mark.parametrize(
    "path",
    ["/staff/appointments/", "/staff/appointments/slots/", "/staff/appointments/book/CRN-1/"],
)
def test_partner_users_and_analysts_are_refused_and_the_refusal_audited(
    signed_in, partner_user, analyst, path
):
    for user in (partner_user, analyst):
        assert signed_in(user).get(path).status_code == 403
    assert AuditEvent.objects.filter(operation=Operation.ACCESS_DENIED).count() == 2


def test_a_handler_may_book_but_not_manage_slots(signed_in, handler):
    client = signed_in(handler)
    assert client.get("/staff/appointments/slots/").status_code == 403
    assert client.get("/staff/appointments/").status_code == 200


def test_the_booking_page_lists_the_soonest_slots_by_day_and_is_audited(
    signed_in, handler, case, contact, leith
):
    make_slot(starts_at=at(3, 10))
    make_slot(starts_at=at(3, 11), kind=AppointmentKind.IN_PERSON)
    make_slot(starts_at=at(4, 9), kind=AppointmentKind.VIDEO)

    response = signed_in(handler).get(book_url(contact))

    page = response.content.decode()
    assert response.status_code == 200
    assert case.reference in page
    assert page.index("Phone call: 10:00–10:30") < page.index("Video call: 09:00–09:30")
    assert "At a police station: 11:00–11:30, Leith, any officer" in page
    assert AuditEvent.objects.filter(
        operation=Operation.CONSULTATION, object_type="contact", object_id=str(contact.pk)
    ).exists()


def test_the_handler_chooses_checks_and_confirms(signed_in, handler, case, contact):
    slot = make_slot(starts_at=at(3, 10))
    client = signed_in(handler)

    check = client.post(book_url(contact), {"slot": slot.pk, "action": "check"})
    assert check.status_code == 200
    assert "Confirm the booking" in check.content.decode()
    assert not Appointment.objects.exists()

    done = client.post(book_url(contact), {"slot": slot.pk, "action": "confirm"})

    appointment = Appointment.objects.get()
    assert done.status_code == 302
    assert done["Location"] == f"/staff/appointments/{appointment.reference}/"
    assert appointment.booked_by == handler
    assert OutboundMessage.objects.filter(template="appointment_booked").exists()
    detail = client.get(done["Location"]).content.decode()
    assert "Booked" in detail and "has been told" in detail


def test_no_time_chosen_says_what_to_fix(signed_in, handler, case, contact):
    make_slot()

    response = signed_in(handler).post(book_url(contact), {"action": "check"})

    assert response.status_code == 400
    assert "Choose a time for the appointment." in response.content.decode()


def test_a_home_visit_without_an_address_keeps_the_choice(signed_in, handler, case, contact):
    slot = make_slot(kind=AppointmentKind.HOME_VISIT)

    response = signed_in(handler).post(book_url(contact), {"slot": slot.pk, "action": "check"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter the address for the home visit." in page
    assert f'value="{slot.pk}" checked' in page


def test_a_time_taken_meanwhile_is_explained(signed_in, handler, case, contact):
    slot = make_slot()
    client = signed_in(handler)
    AppointmentSlot.objects.filter(pk=slot.pk).update(booked=1)

    response = client.post(book_url(contact), {"slot": slot.pk, "action": "confirm"})

    assert response.status_code == 400
    assert "That time is no longer offered" in response.content.decode()


def test_the_public_protection_choice_offers_the_held_slots(signed_in, handler, case, contact):
    from datetime import timedelta

    from django.utils import timezone

    make_slot(starts_at=timezone.now() + timedelta(hours=3))
    client = signed_in(handler)

    assert "no-slots" in client.get(book_url(contact)).content.decode()
    shown = client.get(book_url(contact), {"division": "E", "public_protection": "on"})
    assert "no-slots" not in shown.content.decode()


def test_booking_again_moves_the_appointment(signed_in, handler, case, contact):
    first, second = make_slot(starts_at=at(3)), make_slot(starts_at=at(4))
    old = book_appointment(case, contact, first, actor=handler, via="call")

    signed_in(handler).post(book_url(contact), {"slot": second.pk, "action": "confirm"})

    old.refresh_from_db()
    assert old.status == AppointmentStatus.MOVED
    assert Appointment.objects.get(status="booked").slot == second


def test_my_appointments_lists_them_and_records_an_outcome(
    signed_in, handler, officer, case, contact
):
    appointment = book_appointment(
        case, contact, make_slot(starts_at=at(1), officer=officer), actor=handler, via="call"
    )
    client = signed_in(officer)

    page = client.get("/staff/appointments/").content.decode()
    assert appointment.reference in page

    response = client.post(
        f"/staff/appointments/{appointment.reference}/outcome/",
        {"outcome": "attended", "back": "mine"},
    )
    assert response["Location"] == "/staff/appointments/"
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.ATTENDED


def test_staff_cancel_with_a_reason(signed_in, handler, case, contact):
    appointment = book_appointment(case, contact, make_slot(), actor=handler, via="call")
    client = signed_in(handler)
    url = f"/staff/appointments/{appointment.reference}/cancel/"

    missing = client.post(url, {"cancel-reason": ""})
    assert missing.status_code == 400
    assert "Say why the appointment is cancelled." in missing.content.decode()

    client.post(url, {"cancel-reason": "The person asked by phone."})
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_an_officer_publishes_and_withdraws_slots(signed_in, officer, leith):
    from datetime import timedelta

    from django.utils import timezone

    client = signed_in(officer)
    start = timezone.localdate() + timedelta(days=2)
    form = {
        "kind": "in_person",
        "station": leith.pk,
        "first_day": start.isoformat(),
        "last_day": (start + timedelta(days=1)).isoformat(),
        "times": "09:00, 9.30",
        "weekdays": [0, 1, 2, 3, 4, 5, 6],
        "duration": 30,
        "capacity": 2,
        "officer": "",
    }

    response = client.post("/staff/appointments/slots/?division=E", form)

    assert response.status_code == 302
    assert AppointmentSlot.objects.filter(station=leith, capacity=2).count() == 4
    slot = AppointmentSlot.objects.first()
    client.post(f"/staff/appointments/slots/{slot.pk}/withdraw/")
    slot.refresh_from_db()
    assert slot.withdrawn_at is not None


def test_a_bad_time_in_a_run_is_shown_with_what_was_typed(signed_in, officer, edinburgh):
    response = signed_in(officer).post(
        "/staff/appointments/slots/?division=E",
        {
            "kind": "phone",
            "first_day": "2030-01-01",
            "last_day": "2030-01-02",
            "times": "9am",
            "weekdays": [0],
            "duration": 30,
            "capacity": 1,
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "9am is not a time" in page
    assert 'value="9am"' in page


def test_my_appointments_costs_the_same_queries_for_one_or_many(signed_in, handler, officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.appointments.conftest import new_contact, waiting_for_appointment

    client = signed_in(officer)

    def book_one(n: int) -> None:
        contact = new_contact(reporter_email=f"q{n}@example.org")
        case = waiting_for_appointment(contact, handler)
        slot = make_slot(starts_at=at(1 + n), officer=officer)
        book_appointment(case, contact, slot, actor=handler, via="call")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/staff/appointments/").status_code == 200
        return len(captured)

    book_one(0)
    one = queries()
    for n in range(1, 5):
        book_one(n)
    assert queries() == one
