"""The dashboards and the open data page in Chromium, with axe; a download opens and matches."""

import csv
import io
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from playwright.sync_api import expect

from cairn.accounts.roles import Role
from cairn.events.services import record_event
from tests.browser.conftest import sign_in
from tests.conftest import make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def october(divisions):
    for day, seconds in ((2, 3), (2, 8), (9, 12), (20, 75)):
        with transaction.atomic():
            record_event(
                "call.answered",
                subject_type="test",
                subject_id=1,
                occurred_at=datetime(2026, 10, day, 12, tzinfo=LONDON),
                channel="phone_999",
                data={"seconds_to_answer": seconds},
            )


def test_a_supervisor_reads_the_dashboards_and_downloads_a_table(ui, october):
    make_staff("supervisor", Role.SUPERVISOR)
    sign_in(ui, "supervisor")
    ui.goto("/staff/performance/")
    expect(ui.page.locator("#queue-status")).to_be_visible()
    ui.page.get_by_label("From").fill("2026-10-01")
    ui.page.get_by_label("To (inclusive)").fill("2026-10-31")
    ui.page.get_by_role("button", name="Show figures").click()
    ui.check("overview for October")
    ui.page.get_by_role("link", name="999 calls: average speed of answer").click()
    ui.check("999 measure page")
    expect(ui.page.get_by_role("img", name="999 calls: time to answer")).to_be_visible()
    rows = ui.page.locator("#daily tbody tr")
    expect(rows).to_have_count(31)

    with ui.page.expect_download() as download:
        ui.page.get_by_role("link", name="CSV").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(content)))
    assert lines[0] == ["Day", "Count", "Mean (seconds)"]
    assert lines[2] == ["2026-10-02", "2", "5.5"]
    shown = rows.nth(1).locator("th, td").all_inner_texts()
    assert shown[1:] == ["2", "5.5"]


def test_a_wrong_date_range_is_explained(ui, divisions):
    make_staff("analyst", Role.ANALYST)
    sign_in(ui, "analyst")
    ui.goto("/staff/performance/?first=2026-10-31&last=2026-10-01")
    expect(ui.page.get_by_role("alert")).to_contain_text(
        "The end date must be the same as or after the start date"
    )


def test_the_open_data_page_passes_axe_in_english_and_arabic(ui, october):
    ui.goto("/open-data/")
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(re.compile("Open data"))
    ui.goto("/ar/open-data/")
