"""The public shell: both languages, the emergency message, Exit this page, keyboard use."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_page_in_english_tells_people_to_call_999(ui):
    ui.goto("/")
    expect(ui.page.locator("html")).to_have_attribute("lang", "en")
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Contact the police")
    expect(ui.page.get_by_text("call 999").first).to_be_visible()


def test_home_page_in_gaelic(ui):
    ui.goto("/gd/")
    expect(ui.page.locator("html")).to_have_attribute("lang", "gd")
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Cuir fios dha na poileis")
    expect(ui.page.get_by_role("link", name="Fàg an duilleag seo")).to_be_visible()


def test_language_switcher_moves_between_english_and_gaelic(ui):
    ui.goto("/accessibility/")
    ui.page.get_by_role("link", name="Gàidhlig").click()
    expect(ui.page).to_have_url(re.compile(r"/gd/accessibility/$"))
    ui.check()
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Aithris so-ruigsinneachd")
    ui.page.get_by_role("link", name="English").click()
    expect(ui.page).to_have_url(re.compile(r"/accessibility/$"))
    ui.check()
    expect(ui.page.locator("html")).to_have_attribute("lang", "en")


def test_skip_link_is_the_first_thing_the_keyboard_reaches(ui):
    ui.goto("/")
    ui.page.keyboard.press("Tab")
    focused = ui.page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    ui.page.keyboard.press("Enter")
    expect(ui.page).to_have_url(re.compile(r"#main-content$"))


def test_exit_this_page_is_a_plain_link_that_works_without_javascript(ui):
    ui.goto("/")
    exit_link = ui.page.get_by_role("link", name=re.compile("Exit this page"))
    expect(exit_link).to_have_attribute("href", re.compile(r"^https://"))


def test_unknown_page_shows_the_404_page_with_the_emergency_number(ui):
    response = ui.goto("/no-such-page/")
    assert response.status == 404
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(ui.page.get_by_text("In an emergency call 999.", exact=True)).to_be_visible()


@pytest.mark.parametrize("path", ["/", "/gd/", "/privacy/", "/gd/privacy/"])
def test_public_pages_have_no_axe_violations_at_400_percent_zoom(ui, path):
    # 1280 px wide at 400 % zoom is a 320 CSS px viewport (WCAG 1.4.10 Reflow).
    ui.page.set_viewport_size({"width": 320, "height": 640})
    ui.goto(path)
    overflow = ui.page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
    assert not overflow, f"{path} scrolls sideways at 320 px"
