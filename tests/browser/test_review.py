"""A supervisor reviews a sampled decision; the handler reads the feedback; policy versions."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.triage.test_review import (
    FEEDBACK,
    NEWER_TEXT,
    a_decision,
    a_policy_version,
    a_sampled_decision,
)

pytestmark = pytest.mark.django_db(transaction=True)


def heading(ui):
    return ui.page.get_by_role("heading", level=1)


def answer(ui, question: str, choice: str) -> None:
    # The design system draws the radio inside its label: click the label, as people do.
    group = ui.page.get_by_role("group", name=question)
    group.get_by_text(choice, exact=True).click()
    expect(group.get_by_label(choice, exact=True)).to_be_checked()


def test_a_supervisor_reviews_a_decision_and_the_handler_reads_the_feedback(
    ui, advisor, supervisor
):
    reference = a_sampled_decision(advisor).decision.contact.reference
    sign_in(ui, "supervisor")
    ui.page.get_by_role("link", name="Reviews waiting").click()
    expect(heading(ui)).to_have_text("Reviews waiting")
    ui.check("reviews waiting")

    ui.page.get_by_role("link", name=f"Review {reference}").click()
    expect(heading(ui)).to_have_text(f"Review {reference}")
    expect(ui.page.get_by_role("main")).to_contain_text("A man outside my flat has a knife")
    ui.check("review page")

    answer(ui, "Overall outcome", "Partly meets the standard")
    ui.page.get_by_label("Feedback to the handler").fill(FEEDBACK)
    ui.page.get_by_role("button", name="Record the review").click()
    summary = ui.page.get_by_role("alert")
    expect(summary).to_contain_text("Say whether the THRIVE assessment is complete")
    expect(summary).to_contain_text("Say whether the rationale is clear")
    expect(summary).to_be_focused()
    expect(ui.page.get_by_label("Feedback to the handler")).to_have_value(FEEDBACK)
    expect(
        ui.page.get_by_role("group", name="Overall outcome").get_by_label(
            "Partly meets the standard"
        )
    ).to_be_checked()
    ui.check("errors")

    summary.get_by_role("link", name="Say whether the THRIVE assessment is complete").click()
    expect(
        ui.page.get_by_role("group", name="Is the THRIVE assessment complete?").get_by_label(
            "Meets the standard", exact=True
        )
    ).to_be_focused()
    answer(ui, "Is the THRIVE assessment complete?", "Meets the standard")
    answer(ui, "Were the grade and pathway appropriate?", "Partly meets the standard")
    answer(ui, "Is the rationale clear?", "Does not meet the standard")
    ui.page.get_by_role("button", name="Record the review").click()
    expect(heading(ui)).to_have_text("Reviews waiting")
    expect(ui.page.get_by_role("status")).to_contain_text(f"Review of {reference} recorded")
    expect(ui.page.get_by_role("main")).to_contain_text("No decisions are waiting for your review.")
    ui.check("recorded")

    ui.page.get_by_role("button", name="Sign out").click()
    ui.check("signed out")
    sign_in(ui, "advisor")
    ui.page.get_by_role("navigation", name="Workspace").get_by_role(
        "link", name="My feedback"
    ).click()
    expect(heading(ui)).to_have_text("My feedback")
    main = ui.page.get_by_role("main")
    expect(main).to_contain_text(FEEDBACK)
    expect(main).to_contain_text("Partly meets the standard")
    expect(ui.page.get_by_role("heading", name=re.compile(reference))).to_contain_text("New")
    ui.check("my feedback")
    ui.page.reload()
    expect(ui.page.get_by_role("heading", name=re.compile(reference))).not_to_contain_text("New")
    ui.check("my feedback, read")


def test_a_supervisor_compares_policy_versions_and_reads_the_quality_measure(
    ui, advisor, supervisor
):
    older = a_policy_version()
    newer = a_policy_version(NEWER_TEXT, name="Test CAM 2")
    a_decision(advisor, policy_version=older)
    sign_in(ui, "supervisor")
    ui.page.get_by_role("link", name="Policy versions").click()
    expect(heading(ui)).to_have_text("Policy versions")
    ui.check("policy versions")

    ui.page.get_by_role("link", name=f"What changed in {newer.digest[:12]}").click()
    diff = ui.page.locator("pre#diff")
    expect(diff).to_contain_text("+    review_after_minutes: 30")
    expect(diff.locator("del")).to_have_text("Removed: -    review_after_minutes: 45")
    expect(diff.locator("ins")).to_have_text("Added: +    review_after_minutes: 30")
    expect(ui.page.get_by_role("figure")).to_contain_text("Unified diff from Test CAM")
    ui.check("diff")

    ui.page.get_by_label("To version").select_option(label=f"Test CAM ({older.digest[:12]})")
    ui.page.get_by_role("button", name="Compare").click()
    expect(ui.page.locator("#diff-summary")).to_have_text("The two versions have the same text.")
    ui.check("same version")

    ui.page.get_by_label("From version").select_option("")
    ui.page.get_by_role("button", name="Compare").click()
    expect(ui.page.get_by_role("alert")).to_contain_text("Choose the version to compare from")
    ui.check("diff error")

    ui.goto("/staff/review/quality/")
    expect(heading(ui)).to_have_text("Quality measure")
    expect(
        ui.page.get_by_role("table", name=re.compile("by why the decision was sampled"))
    ).to_be_visible()
    ui.page.get_by_label("From (date)").fill("2026-03-10")
    ui.page.get_by_label("To (date, inclusive)").fill("2026-03-01")
    ui.page.get_by_role("button", name="Show").click()
    expect(ui.page.get_by_role("alert")).to_contain_text("The end date must be")
    ui.check("quality error")
