"""Partner referral acceptance: a handler refers with consent from a case, the partner user
accepts and records an outcome, and another agency's partner user gets 404 for it. axe on
every page and state.
"""

import re

import pytest
from playwright.sync_api import expect

from cairn.cases.models import CaseUpdate, UpdateKind
from cairn.partners.models import Referral, ReferralStatus
from tests.browser.conftest import sign_in
from tests.cases.conftest import handler  # noqa: F401  (fixture)
from tests.partners.conftest import edinburgh_case, make_directory, partner_user

pytestmark = pytest.mark.django_db(transaction=True)


def heading(ui):
    return ui.page.get_by_role("heading", level=1)


def choose(ui, question: str, choice: str) -> None:
    # The design system draws the radio inside its label: click the label, as people do.
    group = ui.page.get_by_role("group", name=question)
    group.get_by_text(choice, exact=True).click()
    expect(group.get_by_label(choice, exact=True)).to_be_checked()


def sign_out(ui) -> None:
    ui.page.get_by_role("button", name="Sign out").click()
    ui.check("signed out")


def test_refer_with_consent_then_the_partner_accepts_and_records_the_outcome(
    ui,
    handler,  # noqa: F811
):
    directory = make_directory()
    partner_user("partner", directory.dbi)
    partner_user("partner2", directory.victim_support)
    case = edinburgh_case(handler)

    # The handler refers from the case, first forgetting the lawful basis.
    sign_in(ui, "handler")
    ui.goto("/staff/partners/")
    ui.page.get_by_label("Area").select_option("E")
    ui.page.get_by_role("button", name="Search").click()
    expect(ui.page.get_by_role("table")).to_contain_text("Distress Brief Intervention – Edinburgh")
    expect(ui.page.get_by_role("table")).not_to_contain_text("Glasgow Women")
    ui.check("directory, Edinburgh")
    ui.goto(f"/staff/partners/refer/{case.reference}/")
    expect(heading(ui)).to_have_text("Refer to a partner")
    expect(ui.page.get_by_label("Name to share")).to_have_value("Morag MacLeod")
    ui.page.get_by_label("Service").select_option(
        label="Distress Brief Intervention: Distress Brief Intervention – Edinburgh (DBI Level 2)"
    )
    ui.page.get_by_label("Why you are referring the person").fill(
        "Very shaken after the break-in and would like someone to talk to."
    )
    consent = "Has the person agreed to the referral?"
    choose(ui, consent, "No")
    ui.page.get_by_role("button", name="Send the referral").click()
    expect(ui.page.get_by_role("alert")).to_contain_text("choose why sharing is lawful")
    expect(ui.page.get_by_label("Why you are referring the person")).to_have_value(
        "Very shaken after the break-in and would like someone to talk to."
    )
    ui.check("refused without consent or a basis")
    assert not Referral.objects.exists()

    choose(ui, consent, "Yes")
    choose(ui, "How did they agree?", "Verbally, on the call")
    ui.page.get_by_label("Email address to share").fill("")
    ui.page.get_by_role("button", name="Send the referral").click()
    expect(ui.page.get_by_role("status").or_(ui.page.locator("#referral-made"))).to_contain_text(
        "Referral sent to Distress Brief Intervention – Edinburgh"
    )
    ui.check("referral sent")
    referral = Referral.objects.get()
    assert referral.consent_method == "verbal_on_call" and referral.shared_email == ""
    ui.goto("/staff/partners/referrals/")
    expect(ui.page.get_by_role("table")).to_contain_text(referral.reference)
    sign_out(ui)

    # The partner accepts it and records the outcome.
    sign_in(ui, "partner")
    ui.goto("/staff/partners/referrals/")
    expect(heading(ui)).to_have_text("Referrals")
    ui.page.get_by_role("link", name=referral.reference).click()
    expect(heading(ui)).to_have_text(f"Referral {referral.reference}")
    main = ui.page.get_by_role("main")
    expect(main).to_contain_text("Very shaken after the break-in")
    expect(main).to_contain_text(case.reference)
    expect(main).not_to_contain_text("Leith Walk")  # the contact's own words stay with the police
    ui.check("the referral")
    ui.page.get_by_role("button", name="Accept the referral").click()
    expect(ui.page.locator("#referral-status")).to_have_text("Accepted")
    ui.check("accepted")
    ui.page.get_by_role("button", name="Record the outcome").click()
    expect(ui.page.get_by_role("alert")).to_contain_text("Choose the outcome")
    ui.check("outcome missing")
    choose(ui, "Outcome", "Support is ongoing")
    ui.page.get_by_label("Anything the police should know (optional)").fill("Weekly calls.")
    ui.page.get_by_role("button", name="Record the outcome").click()
    expect(ui.page.locator("#referral-status")).to_have_text("Outcome recorded")
    expect(ui.page.locator("#referral-outcome")).to_contain_text("Support is ongoing")
    ui.check("outcome recorded")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.OUTCOME_RECORDED
    timeline = CaseUpdate.objects.filter(case=case, kind=UpdateKind.REFERRAL).order_by("at", "pk")
    assert [u.visibility for u in timeline] == ["internal", "public", "internal", "internal"]
    sign_out(ui)

    # Another agency's partner user: not in their list, and 404 by its address.
    sign_in(ui, "partner2")
    ui.goto("/staff/partners/referrals/")
    expect(ui.page.get_by_role("main")).not_to_contain_text(referral.reference)
    expect(ui.page.get_by_role("main")).to_contain_text("No referrals to show.")
    response = ui.goto(f"/staff/partners/referrals/{referral.reference}/")
    assert response.status == 404
    expect(heading(ui)).not_to_have_text(re.compile(referral.reference))
