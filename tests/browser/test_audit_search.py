import pytest
from playwright.sync_api import expect

from cairn.audit.models import AuditEvent
from tests.conftest import current_code

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(ui, username: str) -> None:
    ui.goto("/staff/sign-in/")
    ui.page.get_by_label("Username").fill(username)
    ui.page.get_by_label("Password").fill("correct horse battery staple")
    ui.page.get_by_role("button", name="Continue").click()
    ui.check()
    ui.page.get_by_label("Code from your authenticator app").fill(current_code())
    ui.page.get_by_role("button", name="Continue").click()
    ui.check()


def test_supervisor_finds_who_signed_in_and_the_search_is_audited(ui, supervisor, advisor):
    sign_in(ui, "advisor")
    ui.page.get_by_role("button", name="Sign out").click()
    ui.check("signed out")
    sign_in(ui, "supervisor")
    ui.page.get_by_role("navigation", name="Workspace").get_by_role(
        "link", name="Audit log"
    ).click()
    ui.check("empty search form")
    ui.page.get_by_label("Staff username").fill("advisor")
    ui.page.get_by_role("button", name="Search").click()
    ui.check("results")
    table = ui.page.get_by_role("table")
    expect(table).to_contain_text("Second factor accepted")
    expect(table).to_contain_text("Logged out")
    consultation = AuditEvent.objects.filter(operation="consultation", object_type="audit_log")
    assert consultation.count() == 1
    assert consultation.get().context["actor_username"] == "advisor"


def test_audit_search_shows_a_clear_error_for_a_backwards_date_range(ui, supervisor):
    sign_in(ui, "supervisor")
    ui.goto("/staff/audit/?since=2026-11-20&until=2026-11-01")
    expect(ui.page.get_by_role("alert")).to_contain_text("The end date must be the same as")


def test_audit_search_is_forbidden_to_a_service_advisor(ui, advisor):
    sign_in(ui, "advisor")
    response = ui.goto("/staff/audit/")
    assert response.status == 403
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
