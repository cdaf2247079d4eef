"""The person's appointment pages: only with the right to track, in their language, plain forms."""

import pytest
from django.test import Client

from cairn.appointments.models import Appointment, AppointmentKind, AppointmentStatus
from cairn.appointments.services import book_appointment
from cairn.contacts.tracking_links import tracking_token
from cairn.notify.models import OutboundMessage
from tests.appointments.conftest import at, make_slot

pytestmark = pytest.mark.django_db


def tracking(contact, language: str = "") -> Client:
    """A browser that opened the link in our message (so may_track is true)."""
    client = Client()
    prefix = f"/{language}" if language else ""
    response = client.get(f"{prefix}/track/{contact.reference}/", {"t": tracking_token(contact)})
    assert response.status_code == 302
    return client


def url(contact, page: str, language: str = "") -> str:
    prefix = f"/{language}" if language else ""
    return f"{prefix}/track/{contact.reference}/appointment/{page}/"


@pytest.mark.parametrize("page", ["book", "move", "cancel"])
def test_without_the_code_or_link_the_person_is_sent_to_the_tracking_form(case, contact, page):
    response = Client().get(url(contact, page))

    assert response.status_code == 302
    assert response["Location"] == f"/track/?reference={contact.reference}"


def test_the_tracking_page_offers_booking_while_an_appointment_is_to_book(case, contact):
    page = tracking(contact).get(f"/track/{contact.reference}/").content.decode()

    assert "Book an appointment" in page
    assert url(contact, "book") in page


def test_the_person_books_a_time_online(case, contact, leith):
    station = make_slot(starts_at=at(3, 11), kind=AppointmentKind.IN_PERSON)
    make_slot(starts_at=at(3, 10))
    make_slot(starts_at=at(3, 12), kind=AppointmentKind.HOME_VISIT)  # arranged by phone only
    client = tracking(contact)

    page = client.get(url(contact, "book")).content.decode()
    assert "Phone call: 10:00–10:30" in page
    assert "At a police station: 11:00–11:30, Leith" in page
    assert "Home visit" not in page
    assert "any officer" not in page

    response = client.post(url(contact, "book"), {"slot": station.pk})

    assert response["Location"] == f"/track/{contact.reference}/"
    appointment = Appointment.objects.get()
    assert (appointment.booked_via, appointment.booked_by) == ("online", None)
    status = client.get(response["Location"]).content.decode()
    assert "Leith police station" in status
    assert "Change the time" in status
    assert OutboundMessage.objects.filter(template="appointment_booked").count() == 1


def test_choosing_nothing_says_so(case, contact):
    make_slot()

    response = tracking(contact).post(url(contact, "book"), {})

    assert response.status_code == 400
    assert "Choose a time for your appointment" in response.content.decode()


def test_a_time_taken_meanwhile_is_explained(case, contact, handler):
    slot = make_slot(capacity=1)
    client = tracking(contact)
    client.get(url(contact, "book"))
    from cairn.appointments.models import AppointmentSlot

    AppointmentSlot.objects.filter(pk=slot.pk).update(booked=1)
    response = client.post(url(contact, "book"), {"slot": slot.pk})

    assert response.status_code == 400
    assert "That time is no longer free" in response.content.decode()


def test_the_person_moves_the_appointment_and_the_video_link_shows_on_the_page(
    case, contact, handler
):
    old = book_appointment(case, contact, make_slot(starts_at=at(3)), actor=handler, via="call")
    video = make_slot(starts_at=at(5, 16), kind=AppointmentKind.VIDEO)
    client = tracking(contact)

    page = client.get(url(contact, "move")).content.decode()
    assert "Video call: 16:00–16:30" in page

    client.post(url(contact, "move"), {"slot": video.pk})

    old.refresh_from_db()
    assert old.status == AppointmentStatus.MOVED
    new = Appointment.objects.get(status="booked")
    status = client.get(f"/track/{contact.reference}/").content.decode()
    assert new.video_link in status
    message = OutboundMessage.objects.get(template="appointment_moved")
    assert new.video_link not in message.body


def test_the_person_cancels(case, contact, handler):
    appointment = book_appointment(case, contact, make_slot(), actor=handler, via="call")
    client = tracking(contact)

    assert client.get(url(contact, "cancel")).status_code == 200
    response = client.post(url(contact, "cancel"), {"reason": "I no longer need it."})

    assert response["Location"] == f"/track/{contact.reference}/"
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.cancel_reason == "I no longer need it."
    # They may book again from their page.
    assert "Book an appointment" in client.get(response["Location"]).content.decode()


def test_a_report_with_nothing_to_book_has_no_booking_page(contact, edinburgh):
    assert tracking(contact).get(url(contact, "book")).status_code == 404


def test_another_reports_link_does_not_open_this_ones_pages(case, contact):
    from tests.appointments.conftest import new_contact

    other = new_contact(reporter_email="other@example.org")
    client = tracking(other)

    assert client.get(url(contact, "book")).status_code == 302


@pytest.mark.parametrize("language", ["gd", "pl", "uk", "ar"])
def test_the_pages_work_in_each_public_language(case, contact, language):
    make_slot()
    client = tracking(contact, language)

    response = client.get(url(contact, "book", language))

    assert response.status_code == 200
    assert f'lang="{language}"' in response.content.decode()
