"""A handler works a contact from the queue to a decision, with axe on every state.

The same journey runs with JavaScript switched off: every step is a plain
form and a plain link.
"""

import re

import pytest
from playwright.sync_api import expect

from cairn.audit.context import acting_as
from cairn.contacts.models import Contact
from cairn.contacts.services import ContactSubmission, receive_contact
from cairn.triage.models import THRIVE_DIMENSIONS, Decision
from cairn.triage.policy import current_policy
from cairn.triage.queries import suggestion_for
from tests.browser.conftest import (
    UI,
    AxeViolations,
    axe_violations,
    describe,
    sign_in,
    without_fragment,
)

pytestmark = pytest.mark.django_db(transaction=True)

NARRATIVE = "My ex is outside my flat on Leith Walk shouting. He says he has a knife."


def waiting_contact() -> Contact:
    with acting_as("web"):
        receipt = receive_contact(
            ContactSubmission(channel="web_form", narrative=NARRATIVE, reporter_name="Ali Shaw")
        )
    return Contact.objects.get(pk=receipt.contact_id)


def a_response_other_than_the_suggestion(contact: Contact) -> tuple[str, str]:
    """(the radio's value, its label's start) of a response the engine does not suggest."""
    suggestion = suggestion_for(contact)
    policy = current_policy()
    for code, pathway in policy.pathways.items():
        if pathway.grade != suggestion.grade:
            label = f"{policy.grades[pathway.grade].label} – {pathway.label}"
            return f"{pathway.grade}:{code}", label
    raise AssertionError("the policy has one grade only")


def choose(page, radio_id: str) -> None:
    """Click a radio's label, as a person does (the design system draws the radio under it)."""
    page.locator(f'label[for="{radio_id}"]').click()


def work_the_queue(ui: UI, contact: Contact) -> None:
    page = ui.page
    page.get_by_role("link", name="Queue").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Queue")
    row = page.locator(f'tr[data-contact="{contact.pk}"]')
    expect(row).to_contain_text(contact.reference)
    ui.check("queue")

    row.get_by_role("button", name=f"Claim {contact.reference}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(contact.reference)
    expect(page.locator("#claim-status")).to_contain_text("You are assessing this contact")
    weapon = current_policy().cue_kinds["weapon"].label
    cues = page.locator("#cue-list")
    expect(cues).to_contain_text(weapon)
    expect(cues).to_contain_text("knife")
    ui.check("claimed, with a cue")

    # THRIVE, with one level and one note left out at first.
    for dimension in THRIVE_DIMENSIONS:
        if dimension != "harm":
            choose(page, f"id_thrive-{dimension}_2")
        if dimension != "engagement":
            page.get_by_label(f"Note on {dimension}").fill(
                f"{dimension.title()}: ex-partner, knife"
            )
    page.get_by_label("Rationale").fill("Threat of violence from an ex-partner with a knife.")
    page.get_by_role("button", name="Save the assessment").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Choose a level for Harm")
    expect(summary).to_contain_text("Write a note for Engagement")
    expect(page.get_by_label("Note on threat")).to_have_value("Threat: ex-partner, knife")
    expect(page.locator("#id_thrive-threat_2")).to_be_checked()
    ui.check("THRIVE errors")

    summary.get_by_role("link", name="Choose a level for Harm").click()
    choose(page, "id_thrive-harm_2")
    page.get_by_label("Note on engagement").fill("Caller wants a call back.")
    page.get_by_role("button", name="Save the assessment").click()
    expect(page.locator("#suggestion-explanation")).not_to_be_empty()
    ui.check("suggestion")

    # Choose other than the suggestion, first without a rationale.
    value, label = a_response_other_than_the_suggestion(contact)
    radio = page.locator(f'input[name="decision-response"][value="{value}"]')
    choose(page, radio.get_attribute("id"))
    page.get_by_role("button", name="Decide").click()
    expect(page.get_by_role("alert")).to_contain_text("give a rationale for choosing differently")
    expect(page.locator(f'input[name="decision-response"][value="{value}"]')).to_be_checked()
    ui.check("override refused")

    page.locator("#id_decision-rationale").fill("The caller has since left to a neighbour's flat.")
    page.get_by_role("button", name="Decide").click()
    expect(page.locator("#decision-details")).to_contain_text(label)
    decision = Decision.objects.get(contact=contact)
    expect(page.locator("#next-step").locator("xpath=following-sibling::p[1]")).to_contain_text(
        str(decision.next_step.get_kind_display())
    )
    ui.check("decided")
    assert not decision.follows_suggestion

    page.get_by_role("link", name="Back to the queue").click()
    expect(page.locator("#queue-live")).not_to_contain_text(contact.reference)
    ui.check("queue without the contact")


def test_a_handler_claims_assesses_and_decides(ui, advisor):
    contact = waiting_contact()
    sign_in(ui, "advisor")
    work_the_queue(ui, contact)


class UIWithoutJavaScript(UI):
    """Axe for a page whose scripts are off (so axe cannot run in it).

    Each state is checked as the browser has it: its HTML, without scripts, is
    served to a second page with scripts on (the styles load as usual), where
    axe runs.
    """

    def __init__(self, page, base_url: str, checker):
        super().__init__(page, base_url)
        self.checker = checker

    def check(self, label: str = "") -> None:
        self.page.wait_for_load_state("load")
        url = self.page.url
        html = re.sub(r"<script\b.*?</script>", "", self.page.content(), flags=re.S)

        def this_page(address: str) -> bool:
            return without_fragment(address) == without_fragment(url)

        def serve(route):
            route.fulfill(body=html, content_type="text/html; charset=utf-8")

        self.checker.route(this_page, serve)
        try:
            self.checker.goto(url)
            assert self.checker.title() == self.page.title(), "axe would check another page"
            violations = axe_violations(self.checker)
        finally:
            self.checker.unroute(this_page, serve)
        self.checked.add(without_fragment(url))
        if violations:
            raise AxeViolations(f"axe on {url} {label} (no JavaScript):\n{describe(violations)}")


def test_the_same_journey_without_javascript(browser, browser_context_args, live_server, advisor):
    context = browser.new_context(**{**browser_context_args, "java_script_enabled": False})
    checking = browser.new_context(**browser_context_args)
    try:
        ui = UIWithoutJavaScript(context.new_page(), live_server.url, checking.new_page())
        contact = waiting_contact()
        sign_in(ui, "advisor")
        work_the_queue(ui, contact)
        assert not ui.unchecked_pages()
    finally:
        context.close()
        checking.close()
