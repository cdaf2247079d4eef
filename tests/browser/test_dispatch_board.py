"""A control room operator works an incident on the dispatch board: assign, on scene, clear."""

import re

import pytest
from playwright.sync_api import expect

from cairn.accounts.roles import Role
from cairn.dispatch.models import DispatchIncident, IncidentStatus, Resource, ResourceKind
from cairn.places.services import load_divisions
from tests.browser.conftest import sign_in
from tests.conftest import make_staff
from tests.dispatch.conftest import raise_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def incident():
    load_divisions()
    for call_sign, kind in [("E21", ResourceKind.RESPONSE_CAR), ("E41", ResourceKind.DOG)]:
        Resource.objects.create(call_sign=call_sign, division_id="E", kind=kind)
    make_staff("controlroom", Role.CONTROL_ROOM_OPERATOR)
    return raise_for(make_staff("handler", Role.SERVICE_ADVISOR))


def test_the_operator_assigns_a_unit_marks_it_on_scene_and_clears_it(ui, incident):
    reference = incident.contact.reference
    sign_in(ui, "controlroom")
    ui.goto("/staff/dispatch/")
    page = ui.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Dispatch board")
    incidents = page.locator("#incidents")
    expect(incidents).to_contain_text(reference)
    expect(incidents).to_contain_text("Immediate")
    expect(incidents).to_contain_text("Waiting to be sent")
    card = page.locator(f"#incident-{incident.pk}")
    expect(card).to_contain_text("12 Leith Walk, Edinburgh, EH6 8RG")

    # Assigning nothing says what to fix.
    card.get_by_role("button", name=f"Assign to {reference}").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Choose a resource to assign.")
    ui.check("assign error")

    card = page.locator(f"#incident-{incident.pk}")
    card.get_by_label("Resource to assign").select_option(label="E21 – Response car")
    card.get_by_role("button", name=f"Assign to {reference}").click()
    expect(page.get_by_role("status").first).to_contain_text(f"E21 assigned to {reference}.")
    expect(page.locator("#resources")).to_contain_text(
        re.compile(r"E21\s*Response car\s*E\s*Assigned")
    )
    ui.check("assigned")

    card = page.locator(f"#incident-{incident.pk}")
    card.get_by_label("Resource", exact=True).select_option(label="E21")
    card.get_by_label("New status").select_option(label="On scene")
    card.get_by_role("button", name=f"Update {reference}").click()
    expect(page.get_by_role("status").first).to_contain_text(f"{reference}: E21 on scene.")
    expect(page.locator("#incidents")).to_contain_text("On scene")
    ui.check("on scene")

    card = page.locator(f"#incident-{incident.pk}")
    card.get_by_label("Resource", exact=True).select_option(label="E21")
    card.get_by_label("New status").select_option(label="Cleared")
    card.get_by_role("button", name=f"Update {reference}").click()
    expect(page.get_by_role("status").first).to_contain_text(f"{reference}: E21 cleared.")
    expect(page.get_by_role("main")).to_contain_text("No incidents are open.")
    expect(page.locator("#resources")).to_contain_text(
        re.compile(r"E21\s*Response car\s*E\s*Available")
    )
    ui.check("cleared")

    assert DispatchIncident.objects.get(pk=incident.pk).status == IncidentStatus.CLEARED


def test_a_failed_hand_off_is_shown_loudly_and_retried(ui, incident):
    DispatchIncident.objects.filter(pk=incident.pk).update(
        status=IncidentStatus.FAILED, attempts=5, last_error="command and control answered HTTP 503"
    )
    sign_in(ui, "controlroom")
    ui.goto("/staff/dispatch/")
    expect(ui.page.locator("#failed-hand-offs")).to_contain_text(
        "1 hand-off to command and control failed"
    )
    reference = incident.contact.reference
    ui.page.get_by_role("button", name=f"Try the hand-off of {reference} again").click()
    expect(ui.page.get_by_role("status").first).to_contain_text(
        f"{reference} is being sent to command and control again."
    )
    expect(ui.page.locator("#failed-hand-offs")).to_have_count(0)
    ui.check("retried")
