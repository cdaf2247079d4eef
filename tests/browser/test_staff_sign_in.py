"""Staff sign-in in a real browser: password, then the authenticator code."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from cairn.accounts.roles import Role
from cairn.accounts.services import create_staff_user
from cairn.audit.context import acting_as
from tests.conftest import PASSWORD, current_code

pytestmark = pytest.mark.django_db(transaction=True)


def enter_password(ui, username: str, password: str = PASSWORD) -> None:
    ui.page.get_by_label("Username").fill(username)
    ui.page.get_by_label("Password").fill(password)
    ui.page.get_by_role("button", name="Continue").click()


def test_staff_page_sends_a_stranger_to_sign_in(ui):
    ui.goto("/staff/audit/")
    expect(ui.page).to_have_url(re.compile(r"/staff/sign-in/\?next=%2Fstaff%2Faudit%2F$"))
    ui.check()


def test_sign_in_with_password_and_authenticator_code(ui, supervisor, settings):
    # django-otp refuses any code for 1 s after a wrong one; a person never notices,
    # a browser test would (throttling has its own test in tests/accounts).
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    ui.goto("/staff/sign-in/")
    enter_password(ui, "supervisor")
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    ui.check("code page")
    ui.page.get_by_label("Code from your authenticator app").fill("000000")
    ui.page.get_by_role("button", name="Continue").click()
    expect(ui.page.get_by_role("alert")).to_contain_text("That code is not right")
    ui.check("wrong code")
    ui.page.get_by_label("Code from your authenticator app").fill(current_code())
    ui.page.get_by_role("button", name="Continue").click()
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Hello, Supervisor")
    ui.check("workspace home")


def test_first_sign_in_enrols_an_authenticator(ui, db):
    with acting_as("command"):
        create_staff_user(username="newstarter", password=PASSWORD, role=Role.SERVICE_ADVISOR)
    ui.goto("/staff/sign-in/")
    enter_password(ui, "newstarter")
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    expect(ui.page.locator("figure svg")).to_be_visible()
    ui.check("enrolment")
    device = TOTPDevice.objects.get(user__username="newstarter")
    ui.page.get_by_label("Code from your authenticator app").fill(current_code(device.key))
    ui.page.get_by_role("button", name="Continue").click()
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(re.compile("^Hello"))
    ui.check("workspace home")
    device.refresh_from_db()
    assert device.confirmed


def test_wrong_password_then_lockout_after_five_failures(ui, advisor):
    ui.goto("/staff/sign-in/")
    for _attempt in range(4):
        enter_password(ui, "advisor", "not the password")
        expect(ui.page.get_by_role("alert")).to_contain_text("username or password is not right")
    ui.check("wrong password")
    enter_password(ui, "advisor", "not the password")
    expect(ui.page.get_by_role("alert")).to_contain_text("This account is locked")
    ui.check("locked")
    enter_password(ui, "advisor")  # the right password no longer helps
    expect(ui.page.get_by_role("alert")).to_contain_text("This account is locked")
    ui.check("still locked")
