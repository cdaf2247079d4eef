"""The performance dashboards: who may see them, the figures they show, the downloads.

The history is hand-made domain events in committed transactions (the rollups
only fold in what is committed), so these tests are transactional.
"""

import csv
import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cairn.accounts.roles import Role
from cairn.performance.rollups import catch_up
from tests.conftest import make_staff
from tests.performance.test_measures import event

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")
PERIOD = {"first": "2026-10-01", "last": "2026-10-31"}  # 31 Aug to 30 Sep before it


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=LONDON)


@pytest.fixture
def history():
    """October: 10 contacts (3 failure demand), six 999 calls, LPA waits in E; September: 4."""
    for reason in ["new_matter"] * 7:
        event("contact.received", at(10, 5), channel="web_form", reason=reason)
    event("contact.received", at(10, 6), channel="phone_101", reason="update")
    event("contact.received", at(10, 6), channel="email", reason="update")
    event("contact.received", at(10, 7), channel="web_form", reason="new_matter", follow_up_of=4)
    for _ in range(4):
        event("contact.received", at(9, 20), channel="web_form", reason="new_matter")
    for day, seconds in enumerate([3, 8, 10, 12, 45, 75], start=2):
        event("call.answered", at(10, day), channel="phone_999", seconds_to_answer=seconds)
    event("call.abandoned", at(10, 3), channel="phone_101", seconds_to_abandon=30)
    event("call.abandoned", at(10, 3), channel="phone_101", seconds_to_abandon=300)
    for minutes in (60, 120, 180):
        event("appointment.booked", at(10, 10), division="E", wait_minutes=minutes)
    event("case.closed", at(10, 8), outcome="resolved_by_resolution_team")
    event("case.closed", at(10, 8), outcome="resolved_locally")
    for grade in ("immediate", "standard", "standard"):
        event("contact.decided", at(10, 4), grade=grade)
    event("complaint.received", at(9, 15))


def cells(page: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.S).group(0)
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        row = re.sub(r'<time datetime="([^"]+)">[^<]*</time>', r"\1", row)
        found = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", cell).strip() for cell in found])
    return rows


@pytest.mark.parametrize("path", ["/staff/performance/", "/staff/performance/contacts/"])
def test_an_advisor_may_not_see_the_dashboards(signed_in, advisor, path):
    assert signed_in(advisor).get(path).status_code == 403


@pytest.mark.parametrize("role", [Role.ANALYST, Role.SUPERVISOR, Role.ADMINISTRATOR])
def test_analysts_supervisors_and_administrators_may(signed_in, role, divisions):
    client = signed_in(make_staff("viewer", role))
    assert client.get("/staff/performance/").status_code == 200
    assert client.get("/staff/performance/answer_999/").status_code == 200
    assert client.get("/staff/performance/no_such_measure/").status_code == 404


def test_the_overview_shows_the_hand_made_figures_beside_the_previous_period(
    signed_in, analyst, history, divisions
):
    page = signed_in(analyst).get("/staff/performance/", PERIOD).content.decode()
    rows = {row[0]: row[1:] for row in cells(page, "headlines")}

    assert rows["Contacts received"] == ["10", "4", "+6"]
    assert rows["Failure demand rate"] == ["30.0%", "0.0%", "+30.0 points"]
    assert rows["999 calls: average speed of answer"][0] == "25.5 s"
    assert rows["999 calls answered within 10 seconds"][0] == "33.3%"
    assert rows["999 calls answered in 10 to 59 seconds"][0] == "50.0%"
    assert rows["999 calls answered in 60 seconds or more"][0] == "16.7%"
    assert rows["Abandoned calls"][0] == "2"
    assert rows["Abandoned within 2 minutes"][0] == "1"
    assert rows["Cases resolved in entirety by the Resolution Team"][0] == "1"
    assert rows["Local Policing Appointments: median wait"][0] == "2.0 hours"
    assert rows["Local Policing Appointments: 90th percentile wait"][0] == "3.0 hours"
    assert rows["Complaints"] == ["0", "1", "−1"]
    assert cells(page, "grades")[0] == ["standard", "2", "66.7%", "0", "–"]


def test_filters_narrow_the_figures(signed_in, analyst, history, divisions):
    client = signed_in(analyst)
    page = client.get("/staff/performance/", {**PERIOD, "channel": "web_form"}).content.decode()
    rows = {row[0]: row[1:] for row in cells(page, "headlines")}
    assert rows["Contacts received"][0] == "8"
    assert rows["Failure demand rate"][0] == "12.5%"


def test_wrong_filters_are_explained_and_kept(signed_in, analyst, divisions):
    response = signed_in(analyst).get(
        "/staff/performance/", {"first": "2026-11-30", "last": "2026-10-01", "channel": "pigeon"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "The end date must be the same as or after the start date" in page
    assert "Select a valid choice" in page
    assert 'value="2026-11-30"' in page
    assert 'id="headlines"' not in page


def test_a_period_longer_than_a_year_is_refused(signed_in, analyst, divisions):
    page = signed_in(analyst).get(
        "/staff/performance/", {"first": "2024-01-01", "last": "2026-01-01"}
    )
    assert "Choose a period of at most 366 days" in page.content.decode()


def test_the_overview_defaults_to_the_last_28_full_days(signed_in, analyst, divisions):
    page = signed_in(analyst).get("/staff/performance/").content.decode()
    yesterday = datetime.now(LONDON).date() - timedelta(days=1)
    assert f'value="{yesterday.isoformat()}"' in page
    assert f'value="{(yesterday - timedelta(days=27)).isoformat()}"' in page


def test_the_overview_costs_a_bounded_number_of_queries(signed_in, supervisor, history, divisions):
    client = signed_in(supervisor)
    client.get("/staff/performance/", PERIOD)  # fold the history in first
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/staff/performance/", PERIOD).status_code == 200
    assert len(queries) <= 20, [query["sql"][:120] for query in queries]


def test_supervisors_see_the_queue_now_and_analysts_do_not(signed_in, supervisor, analyst):
    assert 'id="queue-status"' in signed_in(supervisor).get("/staff/performance/").content.decode()
    assert 'id="queue-status"' not in signed_in(analyst).get("/staff/performance/").content.decode()


def test_a_measure_page_shows_its_definition_chart_table_and_breakdowns(
    signed_in, analyst, history, divisions
):
    page = signed_in(analyst).get("/staff/performance/answer_999/", PERIOD).content.decode()

    assert "Seconds from a 999 call being offered" in page
    assert re.search(r'<svg[^>]+role="img"[^>]+aria-labelledby="chart-answer_999-title', page)
    daily = cells(page, "daily")
    assert len(daily) == 31
    assert daily[1] == ["2026-10-02", "1", "3.0"]
    assert daily[0] == ["2026-10-01", "0", "–"]
    summary = {row[0]: row[1:] for row in cells(page, "summary")}
    assert summary["Count"] == ["6", "0", "+6"]
    assert summary["Median"][0] == "10.0 s"
    assert cells(page, "by-channel") == [["999 call", "6", "0"]]


def test_a_measure_page_shows_the_hours_of_the_day(signed_in, analyst, history, divisions):
    event("contact.received", at(10, 9, hour=0), channel="web_form", reason="new_matter")
    event("contact.received", at(9, 21, hour=23), channel="phone_101", reason="new_matter")
    client = signed_in(analyst)

    hours = cells(client.get("/staff/performance/contacts/", PERIOD).content.decode(), "by-hour")
    assert len(hours) == 24
    assert hours[0] == ["00:00–00:59", "1", "0"]
    assert hours[12] == ["12:00–12:59", "10", "4"]  # the history's contacts, all at noon
    assert hours[23] == ["23:00–23:59", "0", "1"]
    by_channel = {"channel": "phone_101", **PERIOD}
    hours = cells(
        client.get("/staff/performance/contacts/", by_channel).content.decode(), "by-hour"
    )
    assert (hours[12], hours[23]) == (["12:00–12:59", "1", "0"], ["23:00–23:59", "0", "1"])
    both = {"channel": "phone_101", "division": "E", **PERIOD}
    page = client.get("/staff/performance/contacts/", both).content.decode()
    assert 'id="by-hour"' not in page  # hour cells keep a division or a channel, not both


def test_the_downloads_hold_exactly_the_tables_rows(signed_in, analyst, history, divisions):
    client = signed_in(analyst)
    page = client.get("/staff/performance/answer_999/", PERIOD).content.decode()
    shown = [[value.replace("–", "") for value in row] for row in cells(page, "daily")]

    response = client.get("/staff/performance/answer_999/export.csv", PERIOD)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Day", "Count", "Mean (seconds)"]
    assert rows[1:] == shown

    response = client.get("/staff/performance/answer_999/export.xlsx", PERIOD)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("Day", "Count", "Mean (seconds)")
    assert [[plain(cell) for cell in row] for row in values[1:]] == [
        [plain(cell) for cell in row] for row in shown
    ]


def plain(cell) -> str | float:
    """A cell as a value: XLSX gives dates as datetimes and 3.0 as 3; the page says "3.0"."""
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if cell is None or cell == "":
        return ""
    try:
        return float(cell)
    except ValueError:
        return cell


def test_a_count_measure_downloads_day_and_count(signed_in, analyst, history, divisions):
    response = signed_in(analyst).get("/staff/performance/contacts/export.csv", PERIOD)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Day", "Count"]
    assert rows[5] == ["2026-10-05", "7"]
    assert sum(int(count) for _day, count in rows[1:]) == 10


def test_a_download_refuses_wrong_filters_and_unknown_formats(signed_in, analyst, divisions):
    client = signed_in(analyst)
    bad = client.get("/staff/performance/contacts/export.csv", {"first": "nonsense"})
    assert bad.status_code == 400
    assert client.get("/staff/performance/contacts/export.pdf").status_code == 404


def test_advisors_may_not_download(signed_in, advisor):
    response = signed_in(advisor).get("/staff/performance/contacts/export.csv")
    assert response.status_code == 403


def test_catch_up_is_not_needed_by_the_pages(signed_in, analyst, divisions):
    # The pages fold new events in themselves: a figure is never older than the request.
    client = signed_in(analyst)
    event("complaint.received", at(10, 20))
    page = client.get("/staff/performance/complaints/", PERIOD).content.decode()
    assert {row[0]: row[1] for row in cells(page, "summary")}["Count"] == "1"
    assert catch_up().events == 0
    assert date(2026, 10, 20).isoformat() in page


def test_a_period_longer_than_three_months_is_shown_and_downloaded_by_month(
    signed_in, analyst, history, divisions
):
    year = {"first": "2025-11-01", "last": "2026-10-31"}
    client = signed_in(analyst)
    page = client.get("/staff/performance/contacts/", year).content.decode()

    assert "Month by month" in page
    months = cells(page, "daily")
    assert len(months) == 12
    assert months[-2:] == [["2026-09", "4"], ["2026-10", "10"]]
    download = client.get("/staff/performance/contacts/export.csv", year).content.decode(
        "utf-8-sig"
    )
    rows = list(csv.reader(io.StringIO(download)))
    assert rows[0] == ["Month", "Count"]
    assert rows[-1] == ["2026-10-01", "10"]
