"""Your contacts with us, in Chromium: a code by email, the person's contacts, sign out.

axe runs on every page. The second journey is in Arabic, right to left.
"""

import re

import pytest
from django.core import mail
from django.db import connection
from playwright.sync_api import expect

from cairn.audit.context import acting_as
from cairn.contacts.services import ContactSubmission, receive_contact
from cairn.notify.models import OutboundMessage
from cairn.notify.services import deliver
from cairn.people.services import match_contact

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "morag.macleod@example.scot"


def reported(name: str, email: str, narrative: str) -> str:
    with acting_as("web"):
        receipt = receive_contact(
            ContactSubmission(
                channel="web_form",
                narrative=narrative,
                category="crime.theft",
                reporter_name=name,
                reporter_email=email,
            )
        )
        match_contact(receipt.contact_id)
    return receipt.reference


@pytest.fixture
def references():
    mine = [reported("Morag MacLeod", EMAIL, "My bike was taken from the stair.")]
    mine.append(reported("Morag MacLeod", EMAIL, "My neighbour's bike too."))
    theirs = reported("Iain Stewart", "iain@example.scot", "Someone took my car.")
    yield mine, theirs
    with connection.cursor() as cursor:  # procrastinate's rows outlive the test's flush
        cursor.execute("DELETE FROM procrastinate_jobs WHERE task_name = 'notify.deliver'")


def code_from_email() -> str:
    """The worker's job (delivering the queued email), then the code as the person reads it."""
    deliver(OutboundMessage.objects.latest("pk").pk)
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def test_a_person_sees_their_contacts_after_entering_the_code_sent_to_them(ui, references):
    mine, theirs = references
    page = ui.page
    ui.goto("/")
    page.get_by_role("link", name="See your contacts with us").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your contacts with us")
    ui.check("start")

    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Enter your email address or mobile phone number"
    )
    ui.check("nothing typed")

    page.get_by_label("Email address or mobile phone number").fill(EMAIL)
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code we sent")
    expect(
        page.get_by_text("If we hold contacts from you, we have sent a code to:")
    ).to_be_visible()
    ui.check("code page")

    code = code_from_email()
    page.get_by_label("Code").fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name="Show my contacts").click()
    expect(page.get_by_role("alert")).to_contain_text("That is not the code we sent")
    expect(page.get_by_label("Code")).to_have_value(re.compile(r"^\d{6}$"))
    ui.check("wrong code")

    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Show my contacts").click()
    expect(page).to_have_url(re.compile(r"/my-history/contacts/$"))
    for reference in mine:
        expect(page.get_by_role("link", name=reference)).to_be_visible()
    expect(page.get_by_text(theirs)).to_have_count(0)
    expect(page.get_by_text("We have your report").first).to_be_visible()
    ui.check("contacts")

    page.get_by_role("link", name=mine[0]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("We have your report")
    ui.check("one report's updates")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("You have signed out")
    ui.check("signed out")
    ui.goto("/my-history/contacts/", check=False)
    expect(page).to_have_url(re.compile(r"/my-history/$"))
    ui.check("contacts after signing out")


def test_the_journey_works_in_arabic_right_to_left(ui, references):
    mine, theirs = references
    page = ui.page
    ui.goto("/ar/my-history/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_have_text("تواصلك معنا")
    page.get_by_label("البريد الإلكتروني أو رقم الهاتف المحمول").fill("morag@")
    page.get_by_role("button", name="أرسل لي رمزاً").click()
    expect(page.get_by_role("alert")).to_contain_text("أدخل بريداً إلكترونياً بالصيغة الصحيحة")
    ui.check("a mistyped address")

    page.get_by_label("البريد الإلكتروني أو رقم الهاتف المحمول").fill(EMAIL)
    page.get_by_role("button", name="أرسل لي رمزاً").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("أدخل الرمز الذي أرسلناه")
    ui.check("code page")

    page.get_by_label("الرمز").fill(code_from_email())
    page.get_by_role("button", name="اعرض تواصلي").click()
    expect(page).to_have_url(re.compile(r"/ar/my-history/contacts/$"))
    for reference in mine:
        expect(page.get_by_role("link", name=reference)).to_be_visible()
    expect(page.get_by_text(theirs)).to_have_count(0)
    ui.check("contacts")

    page.get_by_role("button", name="تسجيل الخروج").click()
    expect(page).to_have_url(re.compile(r"/ar/my-history/$"))
    expect(page.get_by_role("status")).to_contain_text("لقد سجّلت الخروج")
    ui.check("signed out")
