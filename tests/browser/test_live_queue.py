"""The queue page, live: a new contact appears on a handler's open page within a second.

The live service runs as a real granian process (the ``live_events`` fixture),
listening to PostgreSQL NOTIFY on the test database; the page's script
(workspace/queue-live.js) fetches the table from the live server and swaps it.
"""

import time

import pytest
from playwright.sync_api import expect

from cairn.audit.context import acting_as
from cairn.contacts.services import ContactSubmission, receive_contact
from cairn.live.process import free_loopback_port
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD, current_code

pytestmark = pytest.mark.django_db(transaction=True)


def submit_contact(narrative: str) -> int:
    """A contact as the public site's form hands it to intake."""
    with acting_as("web"):
        receipt = receive_contact(
            ContactSubmission(channel="web_form", narrative=narrative, reporter_name="Ali Shaw")
        )
    return receipt.contact_id


def test_a_new_contact_appears_on_the_open_queue_without_a_reload(ui, live_events, advisor):
    waiting = submit_contact("My bike was taken from the stair last night.")
    sign_in(ui, "advisor")
    ui.goto("/staff/queue/")
    page = ui.page
    live = page.locator("#queue-live")
    expect(live).to_have_attribute("data-live", "connected")
    # The handler is on the waiting contact's Claim button; the page must leave focus there.
    claim = page.locator(f'tr[data-contact="{waiting}"]').get_by_role("button", name="Claim")
    claim.focus()
    page.evaluate("() => { window.sameDocument = true; }")  # gone if the page reloads

    submitted = time.monotonic()
    contact_id = submit_contact("Someone is trying car doors along our street right now.")
    row = page.locator(f'tr[data-contact="{contact_id}"]')
    expect(row).to_be_visible(timeout=1000)
    assert time.monotonic() - submitted < 1.0

    assert page.evaluate("() => window.sameDocument") is True
    expect(page.locator("[data-queue-live-status]")).to_have_text("Queue updated: 1 new contact")
    expect(page.locator(f'tr[data-contact="{waiting}"]').get_by_role("button")).to_be_focused()
    ui.check("the queue with the new contact")

    # Another change (a second contact) is announced again, with its own count.
    second = submit_contact("A car alarm has been going off for an hour.")
    expect(page.locator(f'tr[data-contact="{second}"]')).to_be_visible(timeout=1000)
    expect(page.locator("[data-queue-live-status]")).to_have_text("Queue updated: 1 new contact")
    ui.check("the queue with a second new contact")


def test_the_live_stream_connects_under_the_pages_own_csp(
    browser, browser_context_args, live_server, live_events, advisor
):
    """Without bypass_csp (the ``ui`` fixture needs it for axe): the real policy must allow
    the script and the connection to the live service. axe runs on this page in the test
    above; it cannot be injected under this policy."""
    context = browser.new_context(**{**browser_context_args, "bypass_csp": False})
    try:
        page = context.new_page()
        refused = []
        page.on("console", lambda m: "Content Security Policy" in m.text and refused.append(m))
        page.goto(live_server.url + "/staff/sign-in/")
        page.get_by_label("Username").fill("advisor")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Code from your authenticator app").fill(current_code())
        page.get_by_role("button", name="Continue").click()
        page.goto(live_server.url + "/staff/queue/")
        expect(page.locator("#queue-live")).to_have_attribute("data-live", "connected")
        contact_id = submit_contact("Two people are fighting outside the chip shop.")
        expect(page.locator(f'tr[data-contact="{contact_id}"]')).to_be_visible(timeout=1000)
        assert refused == []
    finally:
        context.close()


def test_without_the_live_service_the_page_still_works(ui, settings, advisor):
    settings.CAIRN_LIVE_URL = f"http://127.0.0.1:{free_loopback_port()}"  # nothing listens
    sign_in(ui, "advisor")
    ui.goto("/staff/queue/")
    page = ui.page
    expect(page.locator("#queue-live")).not_to_have_attribute("data-live", "connected")
    contact_id = submit_contact("There is a loose dog on the dual carriageway.")
    page.get_by_role("link", name="Refresh the queue").click()
    expect(page.locator(f'tr[data-contact="{contact_id}"]')).to_be_visible()
    ui.check("the refreshed queue")
