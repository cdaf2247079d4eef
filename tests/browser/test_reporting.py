"""Online reporting in a real browser, with axe on every page and every error state.

The journeys answer from the form definitions themselves (labels in the page's
language), and press buttons by their value, so they keep working when the
interface catalogues for gd/pl/uk/ar are filled in.
"""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from cairn.contacts.models import Contact, Evidence
from cairn.contacts.report_forms import load_forms
from tests.browser.conftest import UI
from tests.contacts import evidence_files

pytestmark = pytest.mark.django_db(transaction=True)

THEFT = load_forms()["theft"]
REFERENCE = re.compile(r"^CRN-\d{6}-\d{5,}$")


def label(question_id: str, language: str) -> str:
    return THEFT.question(question_id).label(language)


def option(question_id: str, value: str, language: str) -> str:
    return THEFT.question(question_id).option_label(value, language)


def press(ui: UI, value: str = "continue", note: str = "") -> None:
    """Press a form button by its value, then check the page it leads to."""
    ui.page.locator(f'button[value="{value}"]').click()
    ui.check(note)


def choose(ui: UI, question_id: str, value: str, language: str) -> None:
    ui.page.get_by_label(option(question_id, value, language), exact=True).check(force=True)
    press(ui)


def fill(ui: UI, question_id: str, text: str, language: str) -> None:
    ui.page.get_by_label(label(question_id, language), exact=True).fill(text)
    press(ui)


def heading(ui: UI):
    return ui.page.get_by_role("heading", level=1)


def pass_the_gate(ui: UI, prefix: str = "") -> None:
    ui.goto(f"{prefix}/report/theft/")
    ui.page.locator("#danger-no").check(force=True)
    ui.page.locator("form button.ds_button").click()
    ui.check("first question")


def attach_two_photos(ui: UI) -> None:
    """On the evidence question: add a JPEG and a PNG, then continue."""
    ui.page.locator('input[type="file"]').set_input_files(
        {"name": "bike.jpg", "mimeType": "image/jpeg", "buffer": evidence_files.jpeg()}
    )
    press(ui, "upload", "one photo added")
    ui.page.locator('input[type="file"]').set_input_files(
        {"name": "lock.png", "mimeType": "image/png", "buffer": evidence_files.png()}
    )
    press(ui, "upload", "two photos added")
    press(ui)


def assert_two_photos(contact: Contact) -> None:
    names = sorted(Evidence.objects.filter(contact=contact).values_list("original_name", flat=True))
    assert names == ["bike.jpg", "lock.png"]


def answer_theft(ui: UI, language: str, *, anonymous: bool = False, photos: bool = False) -> None:
    """From the first question to check answers, every question answered."""
    expect(heading(ui)).to_have_text(label("stolen_items", language))
    fill(ui, "stolen_items", "A red bicycle, frame number WTU123", language)
    choose(ui, "stolen_value", "from_100_to_1000", language)
    fill(ui, "where_address", "Bike rack outside Waverley station", language)
    fill(ui, "where_postcode", "eh1 1bb", language)
    choose(ui, "when_known", "exact", language)
    fill(ui, "when_date", "1/6/2025", language)
    fill(ui, "when_time", "14:30", language)
    fill(ui, "what_happened", "I locked it at two and it was gone at four.", language)
    choose(ui, "suspect_known", "no", language)
    expect(heading(ui)).to_have_text(label("evidence", language))
    if photos:
        attach_two_photos(ui)
    else:
        press(ui)  # no files
    if anonymous:
        choose(ui, "reporting_as", "anonymous", language)
        return
    choose(ui, "reporting_as", "named", language)
    fill(ui, "reporter_name", "Alex Morgan", language)
    choose(ui, "preferred_contact", "email", language)
    fill(ui, "reporter_email", "alex@example.com", language)


def send(ui: UI) -> Contact:
    expect(ui.page).to_have_url(re.compile(r"/check/$"))
    ui.page.locator("form button.ds_button").click()
    ui.check("confirmation")
    reference = ui.page.locator("#reference").inner_text()
    assert REFERENCE.match(reference)
    return Contact.objects.get(reference=reference)


def test_a_named_theft_report_in_english(ui):
    ui.goto("/report/")
    ui.page.get_by_role("link", name="Report a theft").click()
    ui.check("start page")
    ui.page.get_by_role("button", name="Continue").click()
    expect(ui.page.get_by_role("alert")).to_contain_text("Select yes if someone is in danger")
    ui.check("gate error")
    ui.page.get_by_label("No", exact=True).check(force=True)
    ui.page.get_by_role("button", name="Continue").click()
    ui.check("first question")

    ui.page.get_by_role("button", name="Continue").click()  # a required question left empty
    summary = ui.page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link", name="Tell us what was stolen")).to_have_attribute(
        "href", "#q-stolen_items"
    )
    expect(ui.page.locator("#q-stolen_items-error")).to_have_text("Tell us what was stolen")
    expect(ui.page).to_have_title(re.compile(r"^Error: What was stolen\?"))
    ui.check("required question left empty")
    summary.get_by_role("link").click()
    expect(ui.page.get_by_label("What was stolen?")).to_be_focused()

    fill(ui, "stolen_items", "A red bicycle, frame number WTU123", "en")
    choose(ui, "stolen_value", "from_100_to_1000", "en")
    fill(ui, "where_address", "Bike rack outside Waverley station", "en")
    ui.page.get_by_label("What is the postcode there?").fill("not a postcode")
    press(ui, note="postcode error")
    expect(ui.page.get_by_label("What is the postcode there?")).to_have_value("not a postcode")
    expect(ui.page.locator("#q-where_postcode-error")).to_have_text(
        "Enter a real postcode, like EH1 1YZ"
    )
    fill(ui, "where_postcode", "eh1 1bb", "en")
    choose(ui, "when_known", "exact", "en")
    fill(ui, "when_date", "1/6/2025", "en")
    fill(ui, "when_time", "14:30", "en")
    fill(ui, "what_happened", "I locked it at two and it was gone at four.", "en")
    choose(ui, "suspect_known", "no", "en")
    expect(ui.page.get_by_text("Photos can reveal where they were taken")).to_be_visible()
    attach_two_photos(ui)
    choose(ui, "reporting_as", "named", "en")
    fill(ui, "reporter_name", "Alex Morgan", "en")
    choose(ui, "preferred_contact", "email", "en")
    fill(ui, "reporter_email", "alex@example.com", "en")

    expect(heading(ui)).to_have_text("Check your answers before sending your report")
    expect(ui.page.get_by_text("EH1 1BB")).to_be_visible()
    ui.page.get_by_role("link", name="Change What was stolen?").click()
    ui.check("changing an answer")
    expect(ui.page.get_by_label("What was stolen?")).to_have_value(
        "A red bicycle, frame number WTU123"
    )
    fill(ui, "stolen_items", "A red bicycle and a helmet", "en")
    expect(ui.page).to_have_url(re.compile(r"/check/$"))
    expect(ui.page.get_by_text("A red bicycle and a helmet")).to_be_visible()

    contact = send(ui)
    expect(heading(ui)).to_have_text("Report sent")
    code = ui.page.locator("#tracking-code").inner_text()
    assert len(code.replace("-", "")) == 26
    expect(ui.page.get_by_role("link", name="Track my report")).to_have_attribute("href", "/track/")
    assert contact.language == "en"
    assert contact.reporter_name == "Alex Morgan"
    assert contact.answers["stolen_items"] == "A red bicycle and a helmet"
    assert contact.postcode == "EH1 1BB"
    assert_two_photos(contact)

    ui.page.reload()
    ui.check("confirmation again")
    expect(ui.page.locator("#reference")).to_have_text(contact.reference)
    expect(ui.page.locator("#tracking-code")).to_have_count(0)
    expect(ui.page.get_by_text("was shown once")).to_be_visible()


def test_the_same_report_in_gaelic(ui):
    pass_the_gate(ui, "/gd")
    expect(ui.page.locator("html")).to_have_attribute("lang", "gd")
    press(ui, note="required question left empty, in Gaelic")
    expect(ui.page.locator("#q-stolen_items-error")).to_have_text("Innis dhuinn dè chaidh a ghoid")
    answer_theft(ui, "gd", photos=True)
    contact = send(ui)
    assert contact.language == "gd"
    assert_two_photos(contact)
    assert contact.reporter_email == "alex@example.com"


def test_the_same_report_in_arabic_reads_right_to_left(ui):
    pass_the_gate(ui, "/ar")
    expect(ui.page.locator("html")).to_have_attribute("dir", "rtl")
    expect(ui.page.locator("html")).to_have_attribute("lang", "ar")
    press(ui, note="required question left empty, in Arabic")
    expect(ui.page.locator("#q-stolen_items-error")).to_have_text("أخبرنا بما سُرق")
    answer_theft(ui, "ar", photos=True)
    expect(ui.page.locator("html")).to_have_attribute("dir", "rtl")
    contact = send(ui)
    assert contact.language == "ar"
    assert_two_photos(contact)


def test_an_anonymous_report_keeps_no_identity_and_only_the_hour(ui):
    pass_the_gate(ui)
    answer_theft(ui, "en", anonymous=True)
    expect(ui.page.get_by_text("Alex Morgan")).to_have_count(0)
    contact = send(ui)
    expect(ui.page.locator("#tracking-code")).to_be_visible()
    expect(ui.page.get_by_text("Because you reported anonymously")).to_be_visible()
    assert contact.anonymous
    assert (contact.reporter_name, contact.reporter_email, contact.reporter_phone) == ("", "", "")
    for moment in (contact.received_at, contact.created_at):
        assert (moment.minute, moment.second, moment.microsecond) == (0, 0, 0)

    # The secret on the confirmation page is the only way back to the report.
    code = ui.page.locator("#tracking-code").inner_text()
    ui.goto("/track/")
    ui.page.get_by_label("Reference").fill(contact.reference)
    ui.page.get_by_label("Tracking code").fill(code)
    ui.page.get_by_role("button", name="Show my report's progress").click()
    ui.check("tracking page")
    expect(heading(ui)).to_have_text("We have your report")


def test_a_report_left_midway_is_finished_from_its_link_in_another_browser(ui, browser):
    pass_the_gate(ui)
    fill(ui, "stolen_items", "A red bicycle", "en")
    ui.page.get_by_label(option("stolen_value", "under_100", "en"), exact=True).check(force=True)
    press(ui, "save", "saved page")
    expect(heading(ui)).to_have_text("Your answers are saved")
    link = ui.page.get_by_label("Your link").input_value()
    assert re.match(r"^http://[^/]+/report/resume/[A-Za-z0-9_-]{32}/$", link)

    context = browser.new_context(bypass_csp=True, locale="en-GB")
    try:
        fresh = UI(context.new_page(), ui.base_url)
        fresh.goto(urlsplit(link).path)
        expect(heading(fresh)).to_have_text(label("where_address", "en"))
        fresh.page.get_by_role("link", name="Back").click()
        fresh.check("back to an answered question")
        expect(fresh.page.get_by_label(option("stolen_value", "under_100", "en"))).to_be_checked()
        press(fresh)
        fill(fresh, "where_address", "Bike rack outside Waverley station", "en")
        fill(fresh, "where_postcode", "", "en")
        choose(fresh, "when_known", "not_sure", "en")
        fill(fresh, "when_approx", "Last weekend", "en")
        fill(fresh, "what_happened", "It was gone when I came back.", "en")
        choose(fresh, "suspect_known", "no", "en")
        press(fresh)
        choose(fresh, "reporting_as", "anonymous", "en")
        contact = send(fresh)
        assert fresh.unchecked_pages() == []
    finally:
        context.close()
    assert contact.answers["stolen_items"] == "A red bicycle"
    assert contact.answers["when_approx"] == "Last weekend"


def test_a_report_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/report/theft/")
        page.locator("#danger-no").check(force=True)
        page.get_by_role("button", name="Continue").click()
        page.get_by_role("button", name="Continue").click()
        expect(page.locator(".ds_error-summary")).to_contain_text("Tell us what was stolen")
        steps = [
            ("stolen_items", "A red bicycle"),
            ("stolen_value", "under_100"),
            ("where_address", ""),
            ("where_postcode", ""),
            ("when_known", "not_sure"),
            ("when_approx", ""),
            ("what_happened", "Taken from the rack."),
            ("suspect_known", "no"),
            ("evidence", None),
            ("reporting_as", "named"),
            ("reporter_name", "Alex Morgan"),
            ("preferred_contact", "phone"),
            ("reporter_phone", "0131 496 0000"),
        ]
        for question_id, answer in steps:
            expect(page).to_have_url(re.compile(f"/{question_id}/$"))
            if THEFT.question(question_id).options:
                page.locator(f'input[name="{question_id}"][value="{answer}"]').check(force=True)
            elif answer is not None:
                page.locator(f'[name="{question_id}"]').fill(answer)
            page.locator('button[value="continue"]').click()
        expect(page).to_have_url(re.compile(r"/check/$"))
        page.get_by_role("button", name="Send report").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Report sent")
        reference = page.locator("#reference").inner_text()
    finally:
        context.close()
    contact = Contact.objects.get(reference=reference)
    assert contact.reporter_phone == "+441314960000"
    assert contact.preferred_contact == "phone"


def test_two_photos_go_with_the_report_and_one_can_be_removed(ui):
    pass_the_gate(ui)
    fill(ui, "stolen_items", "A red bicycle", "en")
    choose(ui, "stolen_value", "under_100", "en")
    fill(ui, "where_address", "", "en")
    fill(ui, "where_postcode", "", "en")
    choose(ui, "when_known", "not_sure", "en")
    fill(ui, "when_approx", "", "en")
    fill(ui, "what_happened", "Taken from the rack.", "en")
    choose(ui, "suspect_known", "no", "en")

    upload = ui.page.get_by_label("Choose a file")
    upload.set_input_files(
        {"name": "rack.jpg", "mimeType": "image/jpeg", "buffer": evidence_files.jpeg()}
    )
    press(ui, "upload", "one file added")
    ui.page.get_by_label("Add another file").set_input_files(
        {"name": "lock.png", "mimeType": "image/png", "buffer": evidence_files.png()}
    )
    press(ui, "upload", "two files added")
    files = ui.page.locator(".ds_summary-list__key")
    expect(files).to_have_text(["rack.jpg", "lock.png"])

    ui.page.get_by_label("Add another file").set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a photo"}
    )
    press(ui, "upload", "a refused file")
    expect(ui.page.get_by_role("alert")).to_contain_text("We cannot accept this type of file")

    ui.page.get_by_role("button", name="Remove lock.png").click()
    ui.check("a file removed")
    expect(files).to_have_text(["rack.jpg"])
    ui.page.get_by_label("Add another file").set_input_files(
        {"name": "wheel.png", "mimeType": "image/png", "buffer": evidence_files.png()}
    )
    press(ui, note="continuing with a file chosen adds it")
    choose(ui, "reporting_as", "anonymous", "en")
    expect(ui.page.locator(".ds_summary-list__answer", has_text="rack.jpg")).to_be_visible()
    expect(ui.page.locator(".ds_summary-list__answer", has_text="wheel.png")).to_be_visible()
    contact = send(ui)
    names = sorted(Evidence.objects.filter(contact=contact).values_list("original_name", flat=True))
    assert names == ["rack.jpg", "wheel.png"]


def tab_to(ui: UI, selector: str, limit: int = 40) -> None:
    for _ in range(limit):
        ui.page.keyboard.press("Tab")
        if ui.page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"the keyboard never reached {selector}")


def test_the_gate_and_a_question_work_with_the_keyboard_alone(ui):
    ui.goto("/report/theft/")
    tab_to(ui, "#danger")
    ui.page.keyboard.press("ArrowRight")
    expect(ui.page.locator("#danger-no")).to_be_checked()
    tab_to(ui, "form button.ds_button")
    with ui.page.expect_navigation():
        ui.page.keyboard.press("Enter")
    ui.check("first question")
    tab_to(ui, "#q-stolen_items")
    ui.page.keyboard.type("A red bicycle")
    tab_to(ui, 'button[value="continue"]')
    with ui.page.expect_navigation():
        ui.page.keyboard.press("Enter")
    ui.check("second question")
    expect(heading(ui)).to_have_text(label("stolen_value", "en"))


def answered_theft_token(*, until: str | None = None) -> str:
    from cairn.contacts.drafts import save_answer, start_draft
    from tests.portal.test_reporting_support import complete_answers

    draft, token = start_draft("theft", "en")
    for question_id, value in complete_answers(THEFT).items():
        if question_id == until:
            break
        save_answer(draft, question_id, value)
    return token


@pytest.mark.parametrize("prefix", ["", "/ar"])
def test_reporting_pages_fit_a_320_pixel_screen(ui, prefix):
    # 1280 px wide at 400 % zoom is a 320 CSS px viewport (WCAG 1.4.10 Reflow).
    ui.page.set_viewport_size({"width": 320, "height": 640})
    unfinished, finished = answered_theft_token(until="what_happened"), answered_theft_token()
    for path in [
        "/report/",
        "/report/theft/",
        "/report/emergency/",
        f"/report/resume/{unfinished}/stolen_value/",
        f"/report/resume/{unfinished}/what_happened/",
        f"/report/resume/{unfinished}/saved/",
        f"/report/resume/{finished}/check/",
    ]:
        ui.goto(prefix + path)
        overflow = ui.page.evaluate(
            "document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
        assert not overflow, f"{prefix}{path} scrolls sideways at 320 px"


@pytest.mark.parametrize("language", ["pl", "uk"])
def test_every_kind_of_question_passes_axe_in_polish_and_ukrainian(ui, language):
    from cairn.contacts.drafts import save_answer, start_draft
    from tests.portal.test_reporting_support import complete_answers

    form = load_forms()["hate-crime"]  # radios, checkboxes, yesno, text, textarea, date, ...
    answers = complete_answers(form) | {
        "suspect_known": "yes",
        "suspect_description": "Tall, in a green jacket",
        "preferred_contact": "phone",
        "reporter_phone": "+441314960000",
    }
    draft, token = start_draft(form.slug, language)
    for question_id, value in answers.items():
        save_answer(draft, question_id, value)
    base = f"/{language}/report/resume/{token}"
    for question_id in ("hate_motivation", "where_postcode", "when_date", "when_time"):
        ui.goto(f"{base}/{question_id}/")
        expect(heading(ui)).to_have_text(form.question(question_id).label(language))
    for question_id in ("suspect_known", "suspect_description", "evidence", "reporter_phone"):
        ui.goto(f"{base}/{question_id}/")
    ui.goto(f"{base}/hate_motivation/")
    for box in ui.page.locator('input[name="hate_motivation"]').all():
        box.uncheck(force=True)
    press(ui, note="no box ticked")
    expect(ui.page.locator("#q-hate_motivation-error")).to_have_text(
        form.question("hate_motivation").error("required", language)
    )
    ui.goto(f"{base}/check/")
    contact = send(ui)
    assert contact.language == language


SAMPLE_ANSWERS = {
    "text": "A test answer",
    "textarea": "A longer test answer about what happened.",
    "date": "1/6/2025",
    "time": "14:30",
    "postcode": "EH1 1BB",
    "email": "test@example.com",
    "phone": "0131 496 0000",
}


def answer_without_javascript(page, form) -> None:
    """Answer whatever question the page asks, from its definition, until check answers."""
    for _ in range(60):
        if page.url.endswith("/check/"):
            return
        question = form.question(page.url.rstrip("/").rsplit("/", 1)[-1])
        assert question is not None, f"unexpected page {page.url}"
        if question.type in ("radios", "yesno", "checkboxes"):
            value = question.options[0].value if question.options else "no"
            page.locator(f'input[name="{question.id}"][value="{value}"]').check(force=True)
        elif question.type in SAMPLE_ANSWERS:
            page.locator(f'[name="{question.id}"]').fill(SAMPLE_ANSWERS[question.type])
        page.locator('button[value="continue"]').click()
        expect(page.locator(".ds_error-summary")).to_have_count(0)
    raise AssertionError(f"{form.slug}: never reached check answers")


@pytest.mark.parametrize("slug", sorted(load_forms()))
def test_every_form_can_be_sent_without_javascript(browser, live_server, slug):
    form = load_forms()[slug]
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/report/{slug}/")
        page.locator("#danger-no").check(force=True)
        page.get_by_role("button", name="Continue").click()
        answer_without_javascript(page, form)
        page.get_by_role("button", name="Send report").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Report sent")
        reference = page.locator("#reference").inner_text()
    finally:
        context.close()
    assert Contact.objects.get(reference=reference).category == form.category
