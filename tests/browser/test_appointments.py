"""A handler books a Local Policing Appointment during the call; the person moves it online.

axe runs on every page both of them see.
"""

import re

import pytest
from playwright.sync_api import expect

from cairn.accounts.roles import Role
from cairn.appointments.models import Appointment, AppointmentKind, AppointmentStatus
from cairn.appointments.services import book_appointment
from cairn.contacts.tracking_links import TOKEN_PARAMETER, tracking_token
from cairn.notify.models import OutboundMessage
from cairn.places.models import Division
from cairn.places.services import load_divisions
from tests.appointments.conftest import at, make_slot, new_contact, waiting_for_appointment
from tests.browser.conftest import sign_in
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db(transaction=True)


def choose(page, radio_id: str) -> None:
    """Click a radio's label, as a person does (the design system draws the radio under it)."""
    page.locator(f'label[for="{radio_id}"]').click()


def test_the_handler_books_during_the_call_and_the_person_moves_it_online(ui):
    load_divisions()
    handler = make_staff("handler", Role.SERVICE_ADVISOR)
    contact = new_contact()
    waiting_for_appointment(contact, handler)
    by_phone = make_slot(starts_at=at(3, 10))
    at_leith = make_slot(starts_at=at(4, 14), kind=AppointmentKind.IN_PERSON)
    page = ui.page

    # The handler, on the call.
    sign_in(ui, "handler")
    ui.goto(f"/staff/appointments/book/{contact.reference}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Book an appointment")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose a time for the appointment.")
    ui.check("no time chosen")
    choose(page, "id_slot")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the appointment")
    ui.check("check")
    page.get_by_role("button", name="Confirm the booking").click()
    expect(page.locator("#appointment-status")).to_contain_text("Booked")
    ui.check("booked")
    booked = Appointment.objects.get()
    assert booked.slot == by_phone
    assert OutboundMessage.objects.filter(template="appointment_booked").count() == 1
    page.get_by_role("button", name="Sign out").click()
    ui.check("signed out")

    # The person, from the link in our message.
    ui.goto(f"/track/{contact.reference}/?{TOKEN_PARAMETER}={tracking_token(contact)}")
    expect(page.locator("#appointment-details")).to_contain_text("Phone call")
    page.get_by_role("link", name="Change the time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the time of your appointment")
    ui.check("choose a new time")
    page.get_by_role("button", name="Change to this time").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose a time for your appointment")
    ui.check("no new time chosen")
    choose(page, "id_slot")
    page.get_by_role("button", name="Change to this time").click()
    expect(page).to_have_url(re.compile(rf"/track/{contact.reference}/$"))
    expect(page.locator("#appointment-details")).to_contain_text("Leith police station")
    ui.check("moved")

    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.MOVED
    assert Appointment.objects.get(status="booked").slot == at_leith
    assert OutboundMessage.objects.filter(template="appointment_moved").count() == 1


def test_the_officer_publishes_slots_and_records_an_outcome_and_the_person_cancels_another(ui):
    load_divisions()
    handler = make_staff("handler", Role.SERVICE_ADVISOR)
    officer = make_staff("officer", Role.LOCAL_OFFICER, division=Division.objects.get(code="E"))
    kept, cancelled = new_contact(), new_contact(reporter_email="sam@example.org")
    for contact, day in ((kept, 1), (cancelled, 2)):
        case = waiting_for_appointment(contact, handler)
        book_appointment(
            case, contact, make_slot(starts_at=at(day), officer=officer), actor=handler, via="call"
        )
    page = ui.page

    sign_in(ui, "officer")
    ui.goto("/staff/appointments/slots/")
    page.get_by_label("Start times").fill("9am")
    page.get_by_role("button", name="Publish the slots").click()
    expect(page.get_by_role("alert")).to_contain_text("9am is not a time")
    ui.check("publishing error")
    page.get_by_label("Kind of appointment").select_option("phone")
    page.get_by_label("Start times").fill("09:00, 14:00")
    page.get_by_label("First day").fill(at(5).date().isoformat())
    page.get_by_label("Last day").fill(at(6).date().isoformat())
    page.get_by_role("button", name="Publish the slots").click()
    expect(page.get_by_role("status")).to_contain_text("slots published")
    ui.check("published")

    ui.goto("/staff/appointments/")
    kept_appointment = Appointment.objects.get(contact=kept)
    page.get_by_role("button", name=f"Attended {kept_appointment.reference}").click()
    expect(page.get_by_role("status")).to_contain_text("Attended recorded")
    ui.check("attended")
    page.get_by_role("button", name="Sign out").click()
    ui.check("signed out")

    ui.goto(f"/track/{cancelled.reference}/?{TOKEN_PARAMETER}={tracking_token(cancelled)}")
    page.get_by_role("link", name="Cancel the appointment").click()
    ui.check("cancel page")
    page.get_by_label("Why are you cancelling? (optional)").fill("I am away that day.")
    page.get_by_role("button", name="Cancel the appointment").click()
    expect(page.get_by_role("link", name="Book an appointment")).to_be_visible()
    ui.check("cancelled")

    kept_appointment.refresh_from_db()
    assert kept_appointment.status == AppointmentStatus.ATTENDED
    assert Appointment.objects.get(contact=cancelled).status == AppointmentStatus.CANCELLED
