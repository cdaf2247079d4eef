"""People's acceptance: a repeat caller's contact shows who they are, then two duplicates merge
and the merge is undone, with axe on every state.

Morag MacLeod has called twice before (both contacts matched to her record)
and carries a risk marker and a restricted one. She calls again from the
same phone: the handler opens the new contact from the queue and sees her,
her markers and her history on the triage page, without waiting for the
matching task. A second record of hers (from an old landline) is merged
into the first from her page, and the merge is undone. The same journey
runs again with JavaScript switched off.
"""

import re

import pytest
from playwright.sync_api import expect

from cairn.audit.context import acting_as
from cairn.audit.models import AuditEvent
from cairn.contacts.models import Contact
from cairn.contacts.services import ContactSubmission, receive_contact
from cairn.people.markers import add_marker
from cairn.people.models import Combination, ContactMatch, MatterRole, Person
from cairn.people.services import match_contact, record_person
from tests.browser.conftest import UI, sign_in
from tests.browser.test_triage import UIWithoutJavaScript

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "07700 900123"
RESTRICTED_NOTE = "Ex-partner must not learn her address."


def contact_from(phone: str = PHONE, narrative: str = "My car was broken into again.") -> Contact:
    with acting_as("web"):
        receipt = receive_contact(
            ContactSubmission(
                channel="web_form",
                narrative=narrative,
                reporter_name="Morag MacLeod",
                reporter_phone=phone,
                reporter_email="morag.macleod@example.org",
            )
        )
    return Contact.objects.get(pk=receipt.contact_id)


def a_repeat_caller(advisor) -> tuple[Person, list[Contact]]:
    with acting_as("web", user=advisor):
        morag = record_person(
            given_name="Morag",
            family_name="MacLeod",
            date_of_birth="1979-05-14",
            phones=(PHONE,),
            emails=("morag.macleod@example.org",),
            address="12 Leith Walk, Edinburgh",
            postcode="EH6 5DT",
            actor=advisor,
        )
        add_marker(morag, kind="violence_warning", source="Officer report", actor=advisor)
        add_marker(
            morag,
            kind="domestic_abuse_victim",
            source="Partner referral",
            note=RESTRICTED_NOTE,
            actor=advisor,
        )
    earlier = [contact_from(narrative=f"Earlier report {n}.") for n in (1, 2)]
    for contact in earlier:
        match_contact(contact.pk)
        assert MatterRole.objects.get(contact=contact).person == morag
    return morag, earlier


def her_old_record(advisor) -> Person:
    with acting_as("web", user=advisor):
        return record_person(
            given_name="Morag",
            family_name="Macleod",
            phones=("0131 496 0500",),
            address="3 Easter Road, Edinburgh",
            postcode="EH7 5QL",
            actor=advisor,
        )


def the_journey(ui: UI, advisor) -> None:
    morag, earlier = a_repeat_caller(advisor)
    old_record = her_old_record(advisor)
    contact = contact_from()
    assert not ContactMatch.objects.filter(contact=contact).exists()  # the task has not run
    page = ui.page
    sign_in(ui, "advisor")

    # The new contact, opened from the queue: the person, their markers and history.
    page.get_by_role("link", name="Queue").first.click()
    ui.check("queue")
    page.locator(f'tr[data-contact="{contact.pk}"]').get_by_role(
        "link", name=contact.reference
    ).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(contact.reference)
    panel = page.locator("#people")
    expect(panel.get_by_role("link", name="Morag MacLeod", exact=True)).to_be_visible()
    expect(panel).to_contain_text("Violent towards others")
    expect(panel).to_contain_text("Restricted marker")
    expect(panel).not_to_contain_text(RESTRICTED_NOTE)
    expect(panel).to_contain_text("3 contacts in the last 90 days")
    expect(panel).to_contain_text("Matched automatically")
    ui.check("the contact with the matched person")

    # Her record: markers first, and the contacts before this one in her history.
    panel.get_by_role("link", name="Morag MacLeod", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Morag MacLeod")
    timeline = page.locator("#person-timeline")
    for earlier_contact in earlier:
        expect(timeline).to_contain_text(earlier_contact.reference)
    expect(timeline).to_contain_text(contact.reference)
    expect(page.locator("#marker-list")).to_contain_text("Violent towards others")
    ui.check("the person page")

    page.get_by_label("Why do you need to see this?").fill("Safe call back")
    page.get_by_role("button", name="Show the marker").click()
    expect(page.locator("#marker-list")).to_contain_text(RESTRICTED_NOTE)
    ui.check("a restricted marker shown for a purpose")
    assert AuditEvent.objects.filter(purpose="Safe call back").count() == 1

    # She needs a BSL interpreter on calls: recorded from the page, by keyboard.
    page.goto(ui.base_url + f"/staff/people/{morag.pk}/")
    page.get_by_text("Record language, access needs and contact preferences").click()
    ui.check("the preferences form")
    page.get_by_label("British Sign Language").press("Space")
    page.get_by_role("button", name="Save preferences").click()
    expect(page.locator("#person-details")).to_contain_text("British Sign Language")

    # Merge her old record into this one, after comparing them.
    page.goto(ui.base_url + f"/staff/people/{morag.pk}/")
    ui.check("the person page again")
    page.get_by_role("link", name="Merge with another record").click()
    ui.check("merge search")
    page.get_by_label("Phone number, email address or name").fill("0131 496 0500")
    page.get_by_role("button", name="Search").click()
    ui.check("merge search results")
    page.get_by_role("link", name=re.compile("Compare with Morag Macleod")).click()
    comparison = page.locator("#comparison")
    expect(comparison).to_contain_text("EH6 5DT")
    expect(comparison).to_contain_text("EH7 5QL")
    ui.check("the comparison")

    page.get_by_role("button", name="Merge the records").click()
    expect(page.get_by_role("alert")).to_contain_text("Say why these are the same person")
    ui.check("merge refused without a reason")
    page.get_by_label("Why are these the same person?").fill("Same date of birth, old landline")
    page.get_by_role("button", name="Merge the records").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Morag MacLeod")
    expect(page.get_by_role("status").first).to_contain_text("Records merged")
    expect(page.locator("#person-details")).to_contain_text("+441314960500")
    expect(page.locator("#merge-list")).to_contain_text("Same date of birth, old landline")
    ui.check("merged")
    old_record.refresh_from_db()
    assert old_record.merged_into_id == morag.pk

    # And undo it.
    page.locator("#merge-list summary", has_text="Undo merge").click()
    page.get_by_label("Why are these not the same person?").fill("Her mother, same name")
    page.locator("#merge-list").get_by_role("button", name="Undo merge").click()
    expect(page.get_by_role("status").first).to_contain_text("Merge undone")
    expect(page.locator("#person-details")).not_to_contain_text("+441314960500")
    expect(page.locator("#merge-list")).to_contain_text("Undone")
    ui.check("merge undone")
    old_record.refresh_from_db()
    assert old_record.merged_into_id is None
    assert Combination.objects.get().undone_at is not None


def test_a_handler_sees_the_repeat_caller_then_merges_and_undoes(ui: UI, advisor):
    the_journey(ui, advisor)


def test_the_same_journey_without_javascript(browser, browser_context_args, live_server, advisor):
    context = browser.new_context(**{**browser_context_args, "java_script_enabled": False})
    checking = browser.new_context(**browser_context_args)
    try:
        ui = UIWithoutJavaScript(context.new_page(), live_server.url, checking.new_page())
        the_journey(ui, advisor)
        assert not ui.unchecked_pages()
    finally:
        context.close()
        checking.close()


def test_subject_access_and_a_correction(ui: UI, advisor, supervisor):
    morag, _ = a_repeat_caller(advisor)
    sign_in(ui, "supervisor")
    ui.goto(f"/staff/people/{morag.pk}/")
    page = ui.page
    page.get_by_role("link", name=re.compile("Subject access")).click()
    export = page.locator("#export")
    expect(export).to_contain_text("Morag")
    expect(export).not_to_contain_text(RESTRICTED_NOTE)
    expect(page.locator("main")).to_contain_text("1 item is withheld")
    ui.check("the subject access export")

    page.get_by_label("What to correct").select_option("date_of_birth")
    page.get_by_label("The correct value").fill("15/05/1979")
    page.get_by_role("button", name="Correct the record").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Say why the record is being corrected")
    expect(page.get_by_label("The correct value")).to_have_value("15/05/1979")
    ui.check("a correction refused")

    page.get_by_label("The correct value").fill("1979-05-15")
    page.get_by_label("Why is it being corrected?").fill("Birth certificate seen")
    page.get_by_role("button", name="Correct the record").click()
    expect(page.get_by_role("status").first).to_contain_text("Record corrected")
    ui.check("corrected")
    morag.refresh_from_db()
    assert morag.date_of_birth.isoformat() == "1979-05-15"


def test_possible_matches_linking_and_unlinking_from_the_contact(ui: UI, advisor):
    with acting_as("web", user=advisor):
        first, second = (
            record_person(
                given_name="Ailsa", family_name="Grant", phones=("0131 496 0999",), actor=advisor
            )
            for _ in range(2)
        )
    witness = her_old_record(advisor)
    with acting_as("web"):
        receipt = receive_contact(
            ContactSubmission(
                channel="web_form",
                narrative="Someone is trying car doors in our street.",
                reporter_name="Ailsa Grant",
                reporter_phone="0131 496 0999",
            )
        )
    contact = Contact.objects.get(pk=receipt.contact_id)
    sign_in(ui, "advisor")
    ui.goto(f"/staff/queue/{contact.pk}/")
    page = ui.page
    possible = page.locator("#possible-matches")
    expect(possible.get_by_role("button", name=re.compile("^This is them"))).to_have_count(2)
    ui.check("two possible matches")

    possible.get_by_role("button", name=re.compile("^This is them")).first.click()
    expect(page.locator("#linked-people")).to_contain_text("Ailsa Grant")
    expect(page.locator("#linked-people")).to_contain_text("Linked by a handler")
    ui.check("linked as the reporter")
    assert MatterRole.objects.get(contact=contact).person in (first, second)

    page.get_by_role("link", name=re.compile("^Link another person")).click()
    page.get_by_label("Phone number, email address or name").fill("Morag Macleod")
    page.get_by_role("button", name="Search").click()
    ui.check("people found to link")
    page.locator('label[for="id_person_0"]').click()
    page.get_by_role("button", name="Link to the contact").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose the person's role")
    expect(page.locator("#id_person_0")).to_be_checked()
    ui.check("link refused without a role")
    page.locator('label[for="id_role_2"]').click()  # witness
    page.get_by_role("button", name="Link to the contact").click()
    expect(page.locator("#linked-people")).to_contain_text("Witness")
    ui.check("a witness linked")
    assert MatterRole.objects.get(contact=contact, person=witness).role == "witness"

    page.locator("#linked-people").get_by_role("link", name=re.compile("^Unlink Morag")).click()
    page.get_by_role("button", name="Unlink").click()
    expect(page.get_by_role("alert")).to_contain_text("Say why this person is not linked")
    ui.check("unlink refused without a reason")
    page.get_by_label("Why is this person not linked to the contact?").fill("Wrong person")
    page.get_by_role("button", name="Unlink").click()
    expect(page.locator("#linked-people")).not_to_contain_text("Morag")
    ui.check("unlinked")
