"""The whole of triage's acceptance in one journey, two browsers.

A member of the public sends a theft report on the public site while a
handler has the queue open: the report appears on the handler's page within
a second, without a reload. The handler claims it, sees the weapon cue from
the person's words, completes THRIVE (an error state first), is refused an
override without a rationale, gives one, decides, and the contact leaves the
queue with its next step. Axe runs on every state in both browsers.
"""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import UI, sign_in
from tests.browser.test_reporting import choose, fill, heading, label, pass_the_gate, press, send
from tests.browser.test_triage import work_the_queue

pytestmark = pytest.mark.django_db(transaction=True)

WHAT_HAPPENED = "Two men took my bike at the station and one of them had a knife."


def report_a_theft(public: UI) -> None:
    """A named theft report, from the emergency gate to check answers."""
    pass_the_gate(public)
    expect(heading(public)).to_have_text(label("stolen_items", "en"))
    fill(public, "stolen_items", "A red bicycle, frame number WTU123", "en")
    choose(public, "stolen_value", "from_100_to_1000", "en")
    fill(public, "where_address", "Bike rack outside Waverley station", "en")
    fill(public, "where_postcode", "eh1 1bb", "en")
    choose(public, "when_known", "exact", "en")
    fill(public, "when_date", "1/6/2025", "en")
    fill(public, "when_time", "14:30", "en")
    fill(public, "what_happened", WHAT_HAPPENED, "en")
    choose(public, "suspect_known", "no", "en")
    press(public)  # no files
    choose(public, "reporting_as", "named", "en")
    fill(public, "reporter_name", "Alex Morgan", "en")
    choose(public, "preferred_contact", "email", "en")
    fill(public, "reporter_email", "alex@example.com", "en")


def test_a_public_report_reaches_the_open_queue_live_and_is_triaged(
    ui, live_events, live_server, browser, browser_context_args, advisor
):
    sign_in(ui, "advisor")
    ui.goto("/staff/queue/")
    expect(ui.page.locator("#queue-live")).to_have_attribute("data-live", "connected")
    ui.page.evaluate("() => { window.sameDocument = true; }")  # gone if the page reloads

    context = browser.new_context(**browser_context_args)
    public = UI(context.new_page(), live_server.url)
    try:
        report_a_theft(public)
        sent = time.monotonic()
        contact = send(public)
        row = ui.page.locator(f'tr[data-contact="{contact.pk}"]')
        expect(row).to_be_visible(timeout=1000)
        assert time.monotonic() - sent < 1.0, "the report reached the queue too late"
        assert public.unchecked_pages() == []
    finally:
        context.close()
    assert ui.page.evaluate("() => window.sameDocument") is True
    expect(ui.page.locator("[data-queue-live-status]")).to_have_text(re.compile("Queue updated"))
    ui.check("the queue with the public's report")

    work_the_queue(ui, contact)
