"""Issue 6's acceptance journeys, end to end through the real parts, with axe on every page.

1. A report in Gàidhlig → THRIVE → a Local Policing Appointment booked during the
   "call" → the email reaches a real local SMTP server in Gàidhlig → the person
   moves the appointment from the link → the officer records it attended → the
   case is closed → the person answers the survey from the closure email's link.
2. An Immediate decision → the EIDO document (valid against the NENA schema)
   reaches a fake command and control server over HTTP → its status updates come
   back over HTTP and show on the case page's timeline.

(The third journey, a partner referral with consent, another agency's 404, is
tests/browser/test_partner_referrals.py.) Each step's wall-clock time is written
to var/journey-timings/ for the closing note; nothing asserts on time.
"""

import json
import re
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from cairn.accounts.roles import Role
from cairn.appointments.models import Appointment, AppointmentKind, AppointmentStatus
from cairn.cases.models import CaseStatus
from cairn.cases.queries import case_for_contact
from cairn.contacts.models import Contact
from cairn.dispatch.models import DispatchIncident, IncidentStatus, Resource, ResourceKind
from cairn.engagement.models import SurveyResponse
from cairn.places.models import CouncilArea, Division, Postcode
from cairn.places.services import load_divisions
from cairn.triage.models import THRIVE_DIMENSIONS, NextStepStatus
from tests.appointments.conftest import at, make_slot
from tests.browser.conftest import UI, sign_in
from tests.browser.test_reporting import answer_theft, pass_the_gate, send
from tests.conftest import make_staff
from tests.dispatch.conftest import command_and_control, status_key  # noqa: F401 - fixtures
from tests.dispatch.test_eido import schema_errors
from tests.support_smtp import smtp_server  # noqa: F401 - a fixture
from tests.workers import run_worker

pytestmark = pytest.mark.django_db(transaction=True)

TIMINGS = Path(settings.BASE_DIR) / "var" / "journey-timings"


class Stopwatch:
    """Wall-clock seconds per step, written out for the closing note (never asserted)."""

    def __init__(self, name: str):
        self.name = name
        self.steps: dict[str, float] = {}

    @contextmanager
    def step(self, label: str):
        started = time.monotonic()
        yield
        self.steps[label] = round(time.monotonic() - started, 2)

    def write(self) -> None:
        TIMINGS.mkdir(parents=True, exist_ok=True)
        (TIMINGS / f"{self.name}.json").write_text(json.dumps(self.steps, indent=2) + "\n")


@pytest.fixture
def edinburgh(db):
    """Edinburgh's division and stations, and the postcode the report gives (so the
    contact is placed in division E when a handler claims it)."""
    load_divisions()
    Postcode.objects.create(
        postcode="EH1 1BB",
        council_area=CouncilArea.objects.get(gss_code="S12000036"),
        local_authority_code="S12000036",
        easting=325800,
        northing=673900,
        latitude=55.9521,
        longitude=-3.1896,
    )


def click_label_of(page, selector: str) -> None:
    """Choose a radio as a person does: by its label (the design system draws it there)."""
    radio_id = page.locator(selector).get_attribute("id")
    page.locator(f'label[for="{radio_id}"]').click()


def assess_and_decide(ui: UI, contact: Contact, response: str) -> None:
    """Claim from the queue, complete THRIVE and decide ``response`` ("grade:pathway")."""
    page = ui.page
    ui.goto("/staff/queue/")
    page.locator(f'tr[data-contact="{contact.pk}"]').get_by_role(
        "button", name=f"Claim {contact.reference}"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(contact.reference)
    ui.check("claimed")
    for dimension in THRIVE_DIMENSIONS:
        click_label_of(page, f"#id_thrive-{dimension}_1")
        page.get_by_label(f"Note on {dimension}").fill(f"{dimension.title()}: considered")
    page.get_by_label("Rationale").fill("Assessed with the caller.")
    page.get_by_role("button", name="Save the assessment").click()
    expect(page.locator("#suggestion-explanation")).not_to_be_empty()
    ui.check("assessed")
    click_label_of(page, f'input[name="decision-response"][value="{response}"]')
    page.locator("#id_decision-rationale").fill("The caller and the handler agree on this.")
    page.get_by_role("button", name="Decide").click()
    expect(page.locator("#decision-details")).to_be_visible()
    ui.check("decided")


def link_in(body: str) -> str:
    match = re.search(r"https?://\S+/track/\S+", body)
    assert match, "the message carries no tracking link"
    return match.group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_report_in_gaelic_to_appointment_moved_attended_closed_and_survey(
    ui,
    browser,
    browser_context_args,
    live_server,
    edinburgh,
    smtp_server,  # noqa: F811
):
    clock = Stopwatch("lpa_journey")
    make_staff("handler", Role.SERVICE_ADVISOR)
    make_staff("officer", Role.LOCAL_OFFICER, division=Division.objects.get(code="E"))
    first = make_slot(starts_at=at(2, 10), kind=AppointmentKind.PHONE)
    later = make_slot(starts_at=at(5, 14), kind=AppointmentKind.IN_PERSON)
    person = UI(browser.new_context(**browser_context_args).new_page(), live_server.url)

    with clock.step("1. the person reports a theft online in Gàidhlig"):
        pass_the_gate(person, "/gd")
        answer_theft(person, "gd")
        contact = send(person)
    assert contact.language == "gd"

    page = ui.page
    with clock.step("2. the handler claims it, completes THRIVE and decides Standard – LPA"):
        sign_in(ui, "handler")
        assess_and_decide(ui, contact, "standard:local_policing_appointment")
    contact.refresh_from_db()
    assert contact.division_id == "E"

    with clock.step("3. the handler books the appointment during the call"):
        page.get_by_role("link", name="Book an appointment").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Book an appointment")
        ui.check("booking")
        click_label_of(page, f'input[name="slot"][value="{first.pk}"]')
        page.get_by_role("button", name="Continue").click()
        ui.check("check the booking")
        page.get_by_role("button", name="Confirm the booking").click()
        expect(page.locator("#appointment-status")).to_contain_text("Booked")
        ui.check("booked")
        page.get_by_role("button", name="Sign out").click()
        ui.check("signed out")
    case = case_for_contact(contact)
    assert contact.next_steps.get().status == NextStepStatus.DONE

    with clock.step("4. the worker sends the booking email; it arrives by SMTP"):
        run_worker("notify")
        [email] = smtp_server.wait_for(1)
    assert email.subject == f"An coinneamh agad mun aithris {contact.reference}"
    assert "alex@example.com" in email.recipients
    assert "/gd/track/" in email.body

    with clock.step("5. the person opens the link and moves the appointment"):
        person.goto(path_of(link_in(email.body)))
        expect(person.page.locator("html")).to_have_attribute("lang", "gd")
        expect(person.page.locator("#appointment-details")).to_be_visible()
        person.page.locator("#appointment-details ~ p a").first.click()
        person.check("choose a new time, in Gàidhlig")
        click_label_of(person.page, f'input[name="slot"][value="{later.pk}"]')
        person.page.locator("main form[method=post] button[type=submit]").click()
        expect(person.page).to_have_url(re.compile(rf"/gd/track/{contact.reference}/$"))
        expect(person.page.locator("#appointment-details")).to_contain_text("Leith")
        person.check("moved")
    booked = Appointment.objects.get(status=AppointmentStatus.BOOKED)
    assert booked.slot == later

    with clock.step("6. the officer records the appointment attended"):
        sign_in(ui, "officer")
        ui.goto("/staff/appointments/")
        page.get_by_role("button", name=f"Attended {booked.reference}").click()
        ui.check("attended")
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.ATTENDED

    with clock.step("7. the officer closes the case"):
        ui.goto(f"/staff/cases/{case.reference}/")
        click_label_of(page, 'input[name="close-outcome"][value="resolved_locally"]')
        page.locator("#id_close-public_message").fill(
            "We met you and recorded what happened. We have closed your report."
        )
        page.get_by_role("button", name="Close the case").click()
        expect(page.locator("#case-outcome")).to_be_visible()
        ui.check("closed")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED

    with clock.step("8. the closure email arrives; the person answers the survey"):
        run_worker("notify")
        closure = smtp_server.wait_for(3)[-1]  # booked, moved, closed
        assert closure.subject == f"Tha an aithris agad {contact.reference} dùinte"
        person.goto(path_of(link_in(closure.body)))
        for measure, answer in (
            ("ease_of_contact", 5),
            ("treatment", 5),
            ("understood_needs", 4),
            ("appropriate_response", 4),
            ("kept_informed", 5),
            ("attending_officer", 5),
            ("overall", 5),
        ):
            click_label_of(person.page, f'input[name="{measure}"][value="{answer}"]')
        person.page.locator('form[action$="/survey/"] button[type="submit"]').click()
        person.check("survey answered, in Gàidhlig")
    answer = SurveyResponse.objects.get()
    assert (answer.overall, answer.understood_needs) == (5, 4)
    assert person.unchecked_pages() == []
    person.page.context.close()
    clock.write()


def test_immediate_to_command_and_control_and_status_back_on_the_case_page(
    ui,
    live_server,
    edinburgh,
    command_and_control,  # noqa: F811
    status_key,  # noqa: F811
):
    clock = Stopwatch("dispatch_journey")
    make_staff("handler", Role.SERVICE_ADVISOR)
    make_staff("controlroom", Role.CONTROL_ROOM_OPERATOR, division=Division.objects.get(code="E"))
    Resource.objects.create(call_sign="E21", division_id="E", kind=ResourceKind.RESPONSE_CAR)
    _client, key = status_key
    from cairn.audit.context import acting_as
    from cairn.contacts.services import ContactSubmission, receive_contact

    with acting_as("web"):
        receipt = receive_contact(
            ContactSubmission(
                channel="web_form",
                category="crime.assault",
                narrative="A man is hitting someone with a bottle outside the chip shop now.",
                reporter_name="Morag Fraser",
                reporter_phone="07911 123456",
                postcode="EH1 1BB",
            )
        )
    contact = Contact.objects.get(pk=receipt.contact_id)

    with clock.step("1. the handler decides Immediate – dynamic response"):
        sign_in(ui, "handler")
        assess_and_decide(ui, contact, "immediate:dynamic_response")
    incident = DispatchIncident.objects.get(contact=contact)

    with clock.step("2. the worker posts the EIDO document to command and control"):
        run_worker("dispatch")
    [document] = command_and_control.documents
    assert schema_errors(document) == []
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ACKNOWLEDGED

    with clock.step("3. command and control posts four status updates back over HTTP"):
        for status in ("resource_assigned", "en_route", "on_scene", "cleared"):
            answer = command_and_control.report(
                live_server.url, key, incident.eido_id, status, "E21"
            )
            assert answer.status_code == 201, answer.text

    with clock.step("4. the operator sees them on the case timeline"):
        ui.page.get_by_role("button", name="Sign out").click()
        ui.check("signed out")
        sign_in(ui, "controlroom")
        ui.goto(f"/staff/cases/{incident.case.reference}/")
        timeline = ui.page.locator("#timeline-list")
        for text in ("E21 assigned.", "E21 en route.", "E21 on scene.", "Incident cleared."):
            expect(timeline).to_contain_text(text)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLEARED
    assert contact.next_steps.get().status == NextStepStatus.DONE
    clock.write()
