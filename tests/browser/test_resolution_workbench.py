"""A Resolution Team officer works a case from the worklist to closure, with axe on every state.

Every step is a plain form: the journey needs no JavaScript.
"""

import pytest
from playwright.sync_api import expect

from cairn.accounts.models import Team
from cairn.accounts.roles import Role
from cairn.cases.models import CaseStatus, ClosureOutcome, UpdateKind, Visibility
from cairn.notify.models import OutboundMessage
from cairn.places.services import load_divisions
from cairn.resolution.services import route_to_resolution_team
from cairn.triage.models import NextStep, NextStepStatus
from tests.browser.conftest import UI, sign_in
from tests.cases.test_resolution import resolution_contact
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db(transaction=True)


def choose(page, radio_id: str) -> None:
    """Click a radio's label, as a person does (the design system draws the radio under it)."""
    page.locator(f'label[for="{radio_id}"]').click()


@pytest.fixture
def waiting_case():
    """A contact decided to the Resolution Team and routed to Resolution Team – East."""
    load_divisions()
    east = Team.objects.create(name="Resolution Team – East", division_id="E")
    make_staff("resolver", Role.RESOLUTION_OFFICER, last_name="Baird", team=east)
    handler = make_staff("advisor", Role.SERVICE_ADVISOR)
    contact = resolution_contact(handler)
    case = contact.case_link.case
    route_to_resolution_team(case, actor=handler)
    return case


def test_a_resolution_officer_resolves_a_case_in_entirety(ui: UI, waiting_case):
    case = waiting_case
    page = ui.page
    sign_in(ui, "resolver")

    ui.goto("/staff/cases/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases")
    row = page.locator(f'tr[data-case="{case.reference}"]')
    expect(row).to_contain_text("New")
    row.get_by_role("button", name=f"Take {case.reference}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(case.reference)
    expect(page.locator("#case-status")).to_contain_text("You are working this case")
    ui.check("taken")

    # The call: first without saying whether they were reached.
    page.locator("#id_call-outcome").fill("Bike seen on a selling site; details taken.")
    choose(page, "id_call-method_0")
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.get_by_role("alert")).to_contain_text("Say whether you spoke with the person")
    expect(page.locator("#id_call-outcome")).to_have_value(
        "Bike seen on a selling site; details taken."
    )
    ui.check("call outcome refused")
    choose(page, "id_call-reached_0")
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.locator("#timeline-list")).to_contain_text(
        "Phone call: spoke with the person. Bike seen on a selling site"
    )
    ui.check("call recorded")

    page.get_by_label("Crime classification").fill("Theft of pedal cycle")
    page.get_by_role("button", name="Record the crime").click()
    expect(page.locator("#crime-classification")).to_have_text("Theft of pedal cycle")
    ui.check("crime recorded")

    page.locator("#id_update-text").fill("We have recorded the theft of your bike as a crime.")
    choose(page, "id_update-shared_1")
    page.get_by_role("button", name="Add the update").click()
    expect(page.locator("#timeline-list")).to_contain_text("We have recorded the theft")
    ui.check("shared update")

    choose(page, "id_close-outcome_0")
    page.locator("#id_close-public_message").fill(
        "We have recorded the crime and closed your report. Thank you for telling us."
    )
    page.get_by_role("button", name="Close the case").click()
    expect(page.locator("#case-outcome")).to_have_text(
        str(ClosureOutcome.RESOLVED_BY_RESOLUTION_TEAM.label)
    )
    expect(page.get_by_role("button", name="Close the case")).to_have_count(0)
    ui.check("closed")

    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.outcome == ClosureOutcome.RESOLVED_BY_RESOLUTION_TEAM
    assert case.crime_classification == "Theft of pedal cycle"
    assert case.updates.filter(kind=UpdateKind.OUTCOME, visibility=Visibility.INTERNAL).exists()
    step = NextStep.objects.get(contact__case_link__case=case)
    assert step.status == NextStepStatus.DONE
    templates = sorted(OutboundMessage.objects.values_list("template", flat=True))
    assert templates == ["case_closed", "case_updated", "case_updated"]

    ui.goto("/staff/cases/")
    expect(page.locator("#worklist-summary")).to_have_text("No open cases here.")
