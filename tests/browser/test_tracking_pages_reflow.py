"""The pages behind the tracking page fit a 320 px screen (400 % zoom) and work without JavaScript.

The appointment pages, the message form, the survey and the complaint form, in
English and Arabic (right to left). axe runs on each page.
"""

import pytest
from playwright.sync_api import expect

from cairn.accounts.roles import Role
from cairn.appointments.models import AppointmentKind, AppointmentStatus
from cairn.appointments.services import book_appointment
from cairn.cases.services import close_case
from cairn.contacts.tracking_links import TOKEN_PARAMETER, tracking_token
from cairn.engagement.models import SurveyResponse
from cairn.places.services import load_divisions
from tests.appointments.conftest import at, make_slot, new_contact, waiting_for_appointment
from tests.browser.conftest import UI
from tests.browser.test_triage import UIWithoutJavaScript
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db(transaction=True)


def booked_report(handler):
    contact = new_contact()
    case = waiting_for_appointment(contact, handler)
    slot = make_slot(starts_at=at(3, 10), kind=AppointmentKind.PHONE)
    make_slot(starts_at=at(4, 11), kind=AppointmentKind.VIDEO)
    book_appointment(case, contact, slot, actor=handler, via="call")
    return contact, case


def link(contact, prefix: str = "") -> str:
    return f"{prefix}/track/{contact.reference}/?{TOKEN_PARAMETER}={tracking_token(contact)}"


def scrolls_sideways(ui: UI) -> bool:
    return ui.page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("prefix", ["", "/ar"])
def test_the_tracking_pages_fit_a_320_pixel_screen(ui, prefix):
    load_divisions()
    handler = make_staff("handler", Role.SERVICE_ADVISOR)
    contact, case = booked_report(handler)
    ui.page.set_viewport_size({"width": 320, "height": 640})

    ui.goto(link(contact, prefix))
    expect(ui.page.locator("#appointment-details")).to_be_visible()
    pages = [f"{prefix}/track/{contact.reference}/"] + [
        f"{prefix}/track/{contact.reference}/{page}/"
        for page in ("appointment/move", "appointment/cancel", "message", "complaint")
    ]
    for path in pages:
        ui.goto(path)
        assert not scrolls_sideways(ui), f"{path} scrolls sideways at 320 px"

    close_case(case, outcome="no_crime", public_message="We have closed it.", actor=handler)
    for path in (
        f"{prefix}/track/{contact.reference}/",
        f"{prefix}/track/{contact.reference}/survey/",
    ):
        ui.goto(path)
        assert not scrolls_sideways(ui), f"{path} scrolls sideways at 320 px (survey)"


def test_moving_the_appointment_and_answering_the_survey_work_without_javascript(
    browser, browser_context_args, live_server
):
    load_divisions()
    handler = make_staff("handler", Role.SERVICE_ADVISOR)
    contact, case = booked_report(handler)
    context = browser.new_context(**{**browser_context_args, "java_script_enabled": False})
    checking = browser.new_context(**browser_context_args)
    ui = UIWithoutJavaScript(context.new_page(), live_server.url, checking.new_page())
    page = ui.page
    try:
        ui.goto(link(contact))
        page.get_by_role("link", name="Change the time").click()
        ui.check("choose a new time")
        page.locator('label[for="id_slot"]').click()
        page.get_by_role("button", name="Change to this time").click()
        expect(page.locator("#appointment-details")).to_contain_text("Video call")
        ui.check("moved without JavaScript")
        assert contact.appointments.get(status=AppointmentStatus.BOOKED).slot.kind == "video"

        page.get_by_label("Your message").fill("I will be at work on Tuesday morning.")
        page.get_by_role("button", name="Send my message").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Message sent")
        ui.check("message sent without JavaScript")

        close_case(case, outcome="no_crime", public_message="We have closed it.", actor=handler)
        ui.goto(f"/track/{contact.reference}/")
        for measure in (
            "ease_of_contact",
            "treatment",
            "understood_needs",
            "appropriate_response",
            "kept_informed",
            "attending_officer",
            "overall",
        ):
            radio_id = page.locator(f'input[name="{measure}"][value="4"]').get_attribute("id")
            page.locator(f'label[for="{radio_id}"]').click()
        page.get_by_role("button", name="Send my answers").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your answers")
        ui.check("survey answered without JavaScript")
        assert SurveyResponse.objects.get().overall == 4
        assert ui.unchecked_pages() == []
    finally:
        context.close()
        checking.close()
