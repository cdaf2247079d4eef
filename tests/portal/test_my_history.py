"""Your contacts with us: a code to an address we hold, then that person's contacts only."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client

from cairn.audit.context import acting_as
from cairn.audit.models import AuditEvent
from cairn.contacts.services import ContactSubmission, receive_contact
from cairn.notify.models import OutboundMessage, VerificationCode
from cairn.notify.services import deliver
from cairn.people.merging import merge_people
from cairn.people.models import MatterRole, Person
from cairn.people.services import (
    link_person_to_contact,
    match_contact,
    record_person,
    unlink,
)

pytestmark = pytest.mark.django_db

START = "/my-history/"
CODE = "/my-history/code/"
CONTACTS = "/my-history/contacts/"
EMAIL = "morag.macleod@example.scot"
MOBILE = "07911 123456"
STRANGER = "nobody@example.scot"
SAME_ANSWER = "If we hold contacts from you, we have sent a code to:"
FROZEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def report(name, email="", phone="", category="crime.theft", narrative="My bike was stolen."):
    with acting_as("web"):
        receipt = receive_contact(
            ContactSubmission(
                channel="web_form",
                narrative=narrative,
                category=category,
                reporter_name=name,
                reporter_email=email,
                reporter_phone=phone,
            )
        )
        match_contact(receipt.contact_id)
    return receipt.contact


@pytest.fixture
def morag():
    """Morag has reported twice (one a theft, one a question); matching made her a person."""
    first = report("Morag MacLeod", email=EMAIL, phone=MOBILE)
    second = report("Morag MacLeod", email=EMAIL, category="", narrative="A question.")
    person = Person.objects.get(identifiers__value=EMAIL)
    assert set(person.roles.values_list("contact_id", flat=True)) == {first.pk, second.pk}
    return person, [first, second]


@pytest.fixture
def someone_else():
    return report("Iain Stewart", email="iain.stewart@example.scot", narrative="Iain's car.")


def ask_for_code(client, identifier, **extra):
    return client.post(START, {"identifier": identifier}, **extra)


def sent_code() -> str:
    """The code in the latest email, as the person reads it (the worker's job done here)."""
    deliver(OutboundMessage.objects.latest("pk").pk)
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def queued_code() -> str:
    """The code in the latest message while it waits in the outbox."""
    return re.search(r"\b(\d{6})\b", OutboundMessage.objects.latest("pk").body).group(1)


def enter_code(client, code):
    return client.post(CODE, {"code": code})


def signed_in(client, identifier=EMAIL):
    assert ask_for_code(client, identifier).status_code == 302
    response = enter_code(client, sent_code())
    assert response.status_code == 302
    assert response["Location"] == CONTACTS
    return client


def main_text(response) -> str:
    page = response.content.decode()
    main = re.search(r"<main.*?</main>", page, re.S).group(0)
    main = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)
    return html.unescape(re.sub(r"<[^>]+>", " ", main))


def wrong(code: str) -> str:
    return next(candidate for candidate in ("000000", "111111", "222222") if candidate != code)


# No enumeration ------------------------------------------------------------------------------


def test_known_and_unknown_addresses_get_the_same_answer(morag):
    known, unknown = Client(), Client()
    answers = []
    for client, identifier in ((known, EMAIL), (unknown, STRANGER)):
        asked = ask_for_code(client, identifier)
        assert (asked.status_code, asked["Location"]) == (302, CODE)
        page = client.get(CODE)
        assert page.status_code == 200
        answers.append(main_text(page).replace(identifier, "ADDRESS"))
        wrong_try = enter_code(client, "123450")
        assert wrong_try.status_code == 400
        answers.append(main_text(wrong_try).replace(identifier, "ADDRESS"))
    assert answers[0] == answers[2]
    assert answers[1] == answers[3]
    assert SAME_ANSWER in answers[0]


def test_a_code_is_sent_only_to_an_address_a_person_holds(morag):
    ask_for_code(Client(), STRANGER)
    assert not OutboundMessage.objects.exists()
    assert VerificationCode.objects.count() == 1  # a code row all the same, matching nothing

    ask_for_code(Client(), EMAIL.upper())
    message = OutboundMessage.objects.get()
    assert (message.channel, message.recipient) == ("email", EMAIL)
    assert message.template == "verification_code"


def test_a_mobile_number_gets_its_code_by_text_message(morag):
    ask_for_code(Client(), "+44 7911 123456")
    message = OutboundMessage.objects.get()
    assert (message.channel, message.recipient) == ("sms", "+447911123456")


def test_the_code_comes_in_the_language_of_the_page(morag):
    Client().post(f"/gd{START}", {"identifier": EMAIL})
    assert OutboundMessage.objects.get().language == "gd"


def test_the_code_is_stored_hashed(morag):
    ask_for_code(Client(), EMAIL)
    code = sent_code()
    stored = VerificationCode.objects.values().get()
    assert not any(code in str(value) for value in stored.values())
    assert OutboundMessage.objects.get().body == ""  # erased once sent


# The form ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "Enter your email address or mobile phone number"),
        ("morag@", "Enter an email address in the right format, like name@example.com"),
        ("my number", "Enter an email address, or a mobile phone number like 07700 900123"),
        ("0131 496 0000", "Enter a mobile phone number: we send the code by text message"),
    ],
)
def test_a_problem_is_summarised_shown_at_the_field_and_what_was_typed_kept(typed, error):
    response = ask_for_code(Client(), typed)
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert page.count(error) == 2  # the summary and the field
    assert 'class="ds_error-summary"' in page
    field = re.search(r'<input[^>]*name="identifier"[^>]*>', page).group(0)
    assert (f'value="{typed}"' in field) if typed else ("value=" not in field)
    assert "<title>Error: Your contacts with us" in page


def test_the_code_must_be_six_digits(morag):
    client = Client()
    ask_for_code(client, EMAIL)
    response = enter_code(client, "12345")
    page = html.unescape(response.content.decode())
    assert page.count("Enter the 6 digits of the code, like 123456") == 2
    assert 'value="12345"' in page


def test_the_pages_need_their_step_before(morag):
    client = Client()
    assert client.get(CODE)["Location"] == START
    assert client.get(CONTACTS)["Location"] == START
    assert client.get(f"{CONTACTS}{morag[1][0].reference}/")["Location"] == START


# Wrong codes and expiry ----------------------------------------------------------------------


def test_five_wrong_codes_end_it(morag):
    client = Client()
    ask_for_code(client, EMAIL)
    code = sent_code()
    for left in (4, 3, 2, 1):
        response = enter_code(client, wrong(code))
        assert response.status_code == 400
        assert f"That is not the code we sent. You can try {left} more time" in main_text(response)
    fifth = enter_code(client, wrong(code))
    assert "entered wrongly too many times" in main_text(fifth)
    too_late = enter_code(client, code)
    assert too_late.status_code == 400
    assert "That code no longer works" in main_text(too_late)
    assert client.get(CONTACTS)["Location"] == START


def test_a_code_lasts_ten_minutes(morag):
    client = Client()
    with time_machine.travel(FROZEN, tick=False) as clock:
        ask_for_code(client, EMAIL)
        code = sent_code()
        clock.shift(timedelta(minutes=10, seconds=1))
        response = enter_code(client, code)
    assert response.status_code == 400
    assert "That code no longer works: a code lasts 10 minutes" in main_text(response)


def test_a_new_code_replaces_the_last_one(morag):
    client = Client()
    ask_for_code(client, EMAIL)
    first = sent_code()
    ask_for_code(client, EMAIL)
    second = sent_code()
    if first != second:
        assert enter_code(client, first).status_code == 400
    assert enter_code(client, second).status_code == 302


def test_the_contacts_page_closes_after_thirty_minutes(morag):
    client = Client()
    with time_machine.travel(FROZEN, tick=False) as clock:
        signed_in(client)
        clock.shift(timedelta(minutes=29))
        assert client.get(CONTACTS).status_code == 200
        clock.shift(timedelta(minutes=1, seconds=1))
        response = client.get(CONTACTS, follow=True)
    assert response.redirect_chain[-1][0] == START
    assert "Your contacts page closed after 30 minutes" in main_text(response)


# Rate limits -----------------------------------------------------------------------------------


@pytest.mark.parametrize("identifier", [EMAIL, STRANGER])
def test_codes_for_one_address_are_limited_whoever_asks(morag, identifier):
    for attempt in range(5):
        response = ask_for_code(Client(), identifier, REMOTE_ADDR=f"10.0.0.{attempt}")
        assert response.status_code == 302
    sent_before = OutboundMessage.objects.count()
    refused = ask_for_code(Client(), identifier, REMOTE_ADDR="10.0.1.1")
    assert refused.status_code == 429
    assert "You have asked for too many codes" in main_text(refused)
    assert OutboundMessage.objects.count() == sent_before


def test_one_session_asking_for_many_addresses_is_limited(morag):
    client = Client()
    for attempt in range(5):
        assert ask_for_code(client, f"person{attempt}@example.scot").status_code == 302
    assert ask_for_code(client, EMAIL).status_code == 429
    assert not OutboundMessage.objects.exists()


def test_one_client_asking_from_many_sessions_is_limited(morag):
    for attempt in range(20):
        ask_for_code(Client(), f"person{attempt}@example.scot", REMOTE_ADDR="10.9.9.9")
    assert ask_for_code(Client(), EMAIL, REMOTE_ADDR="10.9.9.9").status_code == 429


# The history --------------------------------------------------------------------------------


def test_the_person_sees_their_own_contacts_and_nobody_elses(morag, someone_else):
    _person, (theft, question) = morag
    page = main_text(signed_in(Client()).get(CONTACTS)).replace(EMAIL, "")
    assert theft.reference in page and question.reference in page
    assert someone_else.reference not in page
    assert page.index(question.reference) < page.index(theft.reference)  # newest first
    assert "Report a theft" in page  # what it was about
    assert "Something new to report" in page  # no category: the reason
    assert "We have your report" in page  # the status in plain words
    for private in ("My bike was stolen", "Morag", "MacLeod", "marker", "THRIVE"):
        assert private not in page


def test_a_mobile_number_shows_the_same_person(morag):
    client = Client()
    ask_for_code(client, MOBILE)
    assert OutboundMessage.objects.get().channel == "sms"
    assert enter_code(client, queued_code()).status_code == 302
    page = main_text(client.get(CONTACTS))
    assert all(contact.reference in page for contact in morag[1])


def test_each_contact_links_to_its_updates(morag, someone_else):
    client = signed_in(Client())
    theft = morag[1][0]
    response = client.get(f"{CONTACTS}{theft.reference}/")
    assert response.status_code == 200
    assert "We have your report" in main_text(response)
    assert "no-store" in response["Cache-Control"]
    assert client.get(f"{CONTACTS}{someone_else.reference}/").status_code == 404


def test_an_ended_role_is_not_shown(morag, advisor):
    person, (theft, question) = morag
    role = MatterRole.objects.get(person=person, contact=theft)
    unlink(role, actor=advisor, reason="Not her report after all")
    page = main_text(signed_in(Client()).get(CONTACTS))
    assert theft.reference not in page
    assert question.reference in page


@pytest.mark.parametrize("identifier", [EMAIL, "07400 123456"])
def test_a_merged_record_is_followed_to_the_person(morag, advisor, identifier):
    person, contacts = morag
    # A second record of Morag, made by a handler for a text message: merged into the first.
    texted = report("", phone="07400 123456", narrative="Another thing.")
    duplicate = record_person(
        given_name="Morag",
        family_name="MacLeod",
        phones=("07400 123456",),
        emails=(EMAIL,),
        actor=advisor,
    )
    link_person_to_contact(texted, duplicate, role="reporter", actor=advisor)
    merge_people(person, duplicate, actor=advisor, reason="Same person")
    client = Client()
    ask_for_code(client, identifier)
    assert enter_code(client, queued_code()).status_code == 302
    page = main_text(client.get(CONTACTS))
    assert all(contact.reference in page for contact in [*contacts, texted])
    assert AuditEvent.objects.get(purpose="subject's own history").object_id == str(person.pk)


def test_reading_the_history_is_audited_once_per_person(morag, someone_else):
    person, _contacts = morag
    client = signed_in(Client())
    client.get(CONTACTS)
    event = AuditEvent.objects.get(operation="consultation", object_type="person")
    assert event.object_id == str(person.pk)
    assert event.purpose == "subject's own history"
    assert event.channel == "web"
    assert event.context["contacts"] == 2


def test_signing_out_closes_the_page(morag):
    client = signed_in(Client())
    response = client.post("/my-history/sign-out/", follow=True)
    assert response.redirect_chain[-1][0] == START
    assert "You have signed out of your contacts page" in main_text(response)
    assert client.get(CONTACTS)["Location"] == START


def test_signing_out_needs_a_post(morag):
    client = signed_in(Client())
    assert client.get("/my-history/sign-out/").status_code == 405
    assert client.get(CONTACTS).status_code == 200


# Languages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading", "direction"),
    [
        ("gd", "An conaltradh agad leinn", "ltr"),
        ("pl", "Twoje kontakty z nami", "ltr"),
        ("uk", "Ваші звернення до нас", "ltr"),
        ("ar", "تواصلك معنا", "rtl"),
    ],
)
def test_the_pages_are_in_each_public_language(morag, language, heading, direction):
    client = Client()
    page = client.get(f"/{language}{START}").content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in page
    assert heading in page
    client.post(f"/{language}{START}", {"identifier": EMAIL})
    response = client.post(f"/{language}{CODE}", {"code": queued_code()})
    assert response["Location"] == f"/{language}{CONTACTS}"
    contacts = client.get(f"/{language}{CONTACTS}").content.decode()
    assert heading in contacts
    assert morag[1][0].reference in contacts


def test_the_home_page_and_footer_link_to_the_page(client):
    page = client.get("/").content.decode()
    assert page.count(f'href="{START}"') == 2


def test_a_shared_mobile_shows_only_what_was_reported_with_it(morag):
    """A family mobile held by two people proves only itself, not each one's other reports."""
    _person, (with_mobile, email_only) = morag
    son = record_person(given_name="Calum", family_name="MacLeod", phones=(MOBILE,), actor=None)
    his_report = report("Calum MacLeod", email="calum@example.scot", narrative="Calum's bike.")
    link_person_to_contact(his_report, son, role="reporter", actor=None)
    client = Client()
    assert ask_for_code(client, MOBILE).status_code == 302
    assert enter_code(client, queued_code())["Location"] == CONTACTS
    page = main_text(client.get(CONTACTS))
    assert with_mobile.reference in page
    assert email_only.reference not in page
    assert his_report.reference not in page
    assert client.get(f"{CONTACTS}{email_only.reference}/").status_code == 404
