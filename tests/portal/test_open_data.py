"""The public open data page: headline measures by month and division, and its CSV."""

import csv
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from cairn.events.services import record_event
from cairn.performance.rollups import catch_up

pytestmark = pytest.mark.django_db(transaction=True)
LONDON = ZoneInfo("Europe/London")


def event(name: str, day: int, *, division="", channel="", **data) -> None:
    with transaction.atomic():
        record_event(
            name,
            subject_type="test",
            subject_id=1,
            occurred_at=datetime(2026, 10, day, 12, tzinfo=LONDON),
            division=division,
            channel=channel,
            data=data,
        )


@pytest.fixture
def october(divisions):
    """October 2026 (a whole month before today, 25 November 2026 in this run's clock)."""
    for reason in ["new_matter"] * 8 + ["update"] * 2:
        event("contact.received", 3, division="E", channel="web_form", reason=reason)
    for seconds in (3, 8, 12, 45):  # four: too few to publish a share
        event("call.answered", 4, channel="phone_999", seconds_to_answer=seconds)
    event("complaint.received", 5, division="G")
    catch_up()


def rows_of(page: str) -> list[list[str]]:
    body = re.search(r'id="open-data".*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        row = re.sub(r'<time datetime="([^"]+)">[^<]*</time>', r"\1", row)
        row = re.sub(r'<data value="([^"]+)">.*?</data>', r"\1", row)
        rows.append(
            [
                re.sub(r"<[^>]+>", "", cell).strip()
                for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            ]
        )
    return rows


def test_the_page_is_public_and_shows_the_months_figures(client, october):
    response = client.get("/open-data/")
    assert response.status_code == 200
    rows = [row for row in rows_of(response.content.decode()) if row[0] == "2026-10"]
    by_division = {row[1]: row[2:] for row in rows}
    assert by_division["ALL"] == ["10", "20.0", "–", "–", "–", "–", "–", "1"]
    assert by_division["E"][:2] == ["10", "20.0"]
    assert by_division["G"][-1] == "1"


def test_the_csv_holds_the_tables_rows(client, october):
    page = client.get("/open-data/").content.decode()
    shown = [[value.replace("–", "") for value in row] for row in rows_of(page)]
    response = client.get("/open-data/cairn-open-data.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["month", "division", "contacts"]
    assert rows[1:] == shown
    assert len(rows) == 1 + 12 * 3  # each month: the force, and the two divisions seen


def test_the_page_holds_no_personal_data(client, october):
    page = client.get("/open-data/").content.decode()
    assert "CRN-" not in page and "CAS-" not in page


@pytest.mark.parametrize("language", ["gd", "pl", "uk", "ar"])
def test_the_page_is_served_in_each_public_language(client, language, divisions):
    response = client.get(f"/{language}/open-data/")
    assert response.status_code == 200
    assert f'<html lang="{language}"' in response.content.decode()


def test_the_figures_are_computed_once_per_catch_up_and_then_served_again(client, october):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def october_scotland() -> list[str]:
        rows = rows_of(client.get("/open-data/").content.decode())
        return next(row for row in rows if row[0] == "2026-10" and row[1] == "ALL")

    first = october_scotland()
    with CaptureQueriesContext(connection) as served:
        assert october_scotland() == first
    assert not any("performance_rollupcell" in q["sql"] for q in served.captured_queries)

    event("complaint.received", 6, division="G")
    assert october_scotland() == first  # not folded in yet: the cells have not changed
    catch_up()
    assert october_scotland()[-1] == str(int(first[-1]) + 1)  # complaints, after the fold
