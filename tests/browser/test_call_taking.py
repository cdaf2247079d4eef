"""An advisor takes a 999 call with the keyboard only: type, Tab, Enter."""

import pytest
from playwright.sync_api import expect

from cairn.accounts.roles import Role
from cairn.contacts.models import Contact
from tests.browser.conftest import sign_in
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db(transaction=True)


def focused(ui, name: str):
    expect(ui.page.get_by_label(name, exact=True)).to_be_focused()


def test_an_advisor_takes_a_999_call_by_keyboard(ui, advisor):
    sign_in(ui, "advisor")
    ui.goto("/staff/calls/new/?line=999")
    keyboard = ui.page.keyboard
    focused(ui, "999")  # the first field has the focus
    expect(ui.page.get_by_label("999", exact=True)).to_be_checked()

    keyboard.press("Tab")
    focused(ui, "Caller's phone number")
    keyboard.type("0131 496 0123")
    keyboard.press("Tab")
    keyboard.type("Jo Bloggs")
    keyboard.press("Tab")
    focused(ui, "Caller's date of birth (optional)")
    keyboard.type("14/05/1979")
    keyboard.press("Tab")
    focused(ui, "The caller wants to stay anonymous")
    keyboard.press("Tab")
    keyboard.type("Outside the Central Bar, Leith Walk")
    keyboard.press("Tab")
    keyboard.type("eh6 8ry")
    keyboard.press("Enter")  # too soon: nothing said about what is happening

    summary = ui.page.get_by_role("alert")
    expect(summary).to_contain_text("Say what is happening")
    expect(summary).to_contain_text("Choose what the call is about")
    expect(summary).to_be_focused()
    expect(ui.page.get_by_label("Where is it happening?")).to_have_value(
        "Outside the Central Bar, Leith Walk"
    )
    ui.check("errors")

    keyboard.press("Tab")
    expect(summary.get_by_role("link", name="Say what is happening")).to_be_focused()
    keyboard.press("Enter")
    focused(ui, "What is happening?")
    keyboard.type("Two men fighting, one has a bottle.")
    keyboard.press("Shift+Enter")  # a new line, not a submit
    keyboard.type("Caller is across the road.")
    keyboard.press("Tab")
    focused(ui, "What is it about?")
    keyboard.press("ArrowDown")
    expect(ui.page.get_by_label("What is it about?")).to_have_value("crime")
    keyboard.press("Enter")

    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Call recorded")
    contact = Contact.objects.get()
    expect(ui.page.get_by_role("main")).to_contain_text(contact.reference)
    take_another = ui.page.get_by_role("link", name="Take another call")
    expect(take_another).to_be_focused()
    ui.check("confirmation")
    assert contact.channel == "phone_999"
    assert contact.reporter_phone == "+441314960123"
    assert contact.narrative == "Two men fighting, one has a bottle.\nCaller is across the road."
    assert (contact.category, contact.postcode) == ("crime", "EH6 8RY")
    assert contact.reporter_details == {"date_of_birth": "1979-05-14"}

    keyboard.press("Enter")
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Take a call")
    focused(ui, "999")
    ui.check("the next call")


def test_enter_in_what_is_happening_saves_a_101_call(ui, advisor):
    sign_in(ui, "advisor")
    ui.goto("/staff/calls/new/")
    keyboard = ui.page.keyboard
    focused(ui, "101")
    for _field in range(7):  # number, name, date of birth, anonymous, address, postcode, what
        keyboard.press("Tab")
    focused(ui, "What is happening?")
    keyboard.type("My bike was stolen from the stairwell last night.")
    keyboard.press("Tab")
    keyboard.press("ArrowDown")
    keyboard.press("Shift+Tab")
    focused(ui, "What is happening?")
    keyboard.press("Enter")
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Call recorded")
    ui.check("confirmation")
    contact = Contact.objects.get()
    assert (contact.channel, contact.narrative) == (
        "phone_101",
        "My bike was stolen from the stairwell last night.",
    )


def test_a_resolution_officer_cannot_take_calls(ui, db):
    make_staff("resolution", Role.RESOLUTION_OFFICER)
    sign_in(ui, "resolution")
    response = ui.goto("/staff/calls/new/")
    assert response.status == 403
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
