import re

import pytest
from playwright.sync_api import expect

from cairn.audit.context import acting_as
from cairn.contacts.services import ContactSubmission, receive_contact

pytestmark = pytest.mark.django_db(transaction=True)


def test_anonymous_reporter_tracks_their_report_with_its_secret(ui):
    with acting_as("web"):
        receipt = receive_contact(
            ContactSubmission(
                channel="web_form", narrative="Drug dealing at the bus stop.", anonymous=True
            )
        )
    ui.goto("/track/")
    ui.page.get_by_role("button", name="Show my report's progress").click()
    expect(ui.page.get_by_role("alert")).to_contain_text("Enter your reference")
    ui.check("empty form")
    ui.page.get_by_label("Reference").fill(receipt.contact.reference)
    ui.page.get_by_label("Tracking code").fill("WRONG-CODE")
    ui.page.get_by_role("button", name="Show my report's progress").click()
    expect(ui.page.get_by_role("alert")).to_contain_text("do not match")
    ui.check("wrong code")
    ui.page.get_by_label("Tracking code").fill(receipt.tracking_secret)
    ui.page.get_by_role("button", name="Show my report's progress").click()
    expect(ui.page).to_have_url(re.compile(rf"/track/{receipt.contact.reference}/$"))
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("We have your report")
    ui.check("status")
