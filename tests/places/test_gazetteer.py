"""A force's own gazetteer: checking every row, loading idempotently, searching it."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cairn.places.gazetteer import GazetteerFormatError, load_gazetteer, normalise_address
from cairn.places.models import GazetteerAddress
from cairn.places.queries import search_addresses

GAZETTEER = """\
UPRN,Address,Postcode,Easting,Northing,Latitude,Longitude
906700000001,"12 High Street, Edinburgh",eh1 1yz,325900,673700,,
906700000002,"14 High Street, Edinburgh",EH1 1YZ,,,55.9497,-3.1880
906700000003,No coordinates,EH1 1YZ,,,,
abc,Bad UPRN,EH1 1YZ,325900,673700,,
906700000004,Bad postcode,NOTAPC,325900,673700,,
906700000001,Given twice,EH1 1YZ,325900,673700,,
906700000005,Too few fields
906700000006,Off the grid,EH1 1YZ,900000,673700,,
906700000007,"Flat 1,
2 Multi Line Close",EH1 1YZ,325950,673750,,
906700000008,,EH1 1YZ,325950,673750,,
906700000009,"Flat 2/1, 200 Sauchiehall Street, Glasgow",g23eh,258700,665700,,
906700000010,Not a number,,north,673700,,

906700000011,"Lerwick Harbour",,,,60.1553,-1.1450
"""


def write(tmp_path: Path, text: str = GAZETTEER, name: str = "gazetteer.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_rows_are_reported_by_line_and_the_rest_load(db, tmp_path):
    report = load_gazetteer(write(tmp_path))
    assert [(bad.line, bad.message) for bad in report.bad_rows] == [
        (4, "no coordinates: give easting and northing, or latitude and longitude"),
        (5, "uprn must be a number of up to 12 digits, not 'abc'"),
        (6, "postcode 'NOTAPC' is not a UK postcode"),
        (7, "uprn already given on line 2"),
        (8, "2 fields where the header has 7"),
        (9, "easting and northing are outside Great Britain's grid"),
        (12, "address is empty"),
        (14, "easting is not a number: 'north'"),
    ]
    assert report.bad_count == 8
    assert report.rows == 13  # records, not lines: one spans two lines, one line is blank
    assert sorted(GazetteerAddress.objects.values_list("uprn", flat=True)) == [
        906700000001,
        906700000002,
        906700000007,
        906700000009,
        906700000011,
    ]
    assert report.loaded == report.changed == 5


def test_rows_are_kept_as_given_with_both_kinds_of_coordinates(db, tmp_path):
    load_gazetteer(write(tmp_path))
    first = GazetteerAddress.objects.get(uprn=906700000001)
    assert first.address_text == "12 High Street, Edinburgh"  # the first of the two lines
    assert first.postcode == "EH1 1YZ"
    assert first.normalised == "12 high street edinburgh"
    assert first.latitude == pytest.approx(55.950, abs=0.002)  # from the grid reference
    from_degrees = GazetteerAddress.objects.get(uprn=906700000002)
    assert from_degrees.easting == pytest.approx(325_900, abs=100)  # from latitude/longitude
    assert from_degrees.northing == pytest.approx(673_700, abs=100)
    multi_line = GazetteerAddress.objects.get(uprn=906700000007)
    assert multi_line.address_text == "Flat 1, 2 Multi Line Close"
    assert GazetteerAddress.objects.get(uprn=906700000011).postcode == ""


def test_loading_again_changes_nothing_and_a_changed_row_is_updated(db, tmp_path):
    path = write(tmp_path)
    load_gazetteer(path)
    before = dict(GazetteerAddress.objects.values_list("uprn", "updated_at"))
    again = load_gazetteer(path)
    assert (again.loaded, again.changed) == (5, 0)
    assert dict(GazetteerAddress.objects.values_list("uprn", "updated_at")) == before

    changed = write(
        tmp_path,
        "uprn,address,postcode,latitude,longitude\n"
        '906700000001,"12a High Street, Edinburgh",EH1 1YZ,55.9500,-3.1900\n',
        "change.csv",
    )
    report = load_gazetteer(changed)
    assert (report.loaded, report.changed) == (1, 1)
    assert GazetteerAddress.objects.count() == 5  # a change-only file removes nothing
    assert GazetteerAddress.objects.get(uprn=906700000001).normalised.startswith("12a high")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("uprn,address,easting,northing\n", "no postcode column"),
        ("uprn,address,postcode,easting\n1,A,,2\n", "easting and northing, or latitude"),
    ],
)
def test_a_file_without_a_usable_header_loads_nothing(db, tmp_path, text, message):
    with pytest.raises(GazetteerFormatError, match=message):
        load_gazetteer(write(tmp_path, text))
    assert not GazetteerAddress.objects.exists()


def test_bytes_that_are_not_utf8_spoil_only_their_row(db, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        b"uprn,address,postcode,easting,northing\n"
        b"1,Sr\xe0id na Banrighinn,,325900,673700\n"
        b"2,Queen Street,,325900,673700\n"
    )
    report = load_gazetteer(path)
    assert [(bad.line, bad.message) for bad in report.bad_rows] == [(2, "not UTF-8 text")]
    assert list(GazetteerAddress.objects.values_list("uprn", flat=True)) == [2]


def test_the_command_lists_bad_rows_by_file_and_line(db, tmp_path):
    path = write(tmp_path)
    out, err = StringIO(), StringIO()
    call_command("load_gazetteer", str(path), stdout=out, stderr=err)
    assert f"{path}:5: uprn must be a number" in err.getvalue()
    assert "5 addresses loaded (5 new or changed) from 13 rows, 8 bad" in out.getvalue()


def test_the_command_refuses_a_missing_file_or_a_bad_header(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("load_gazetteer", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="header"):
        call_command("load_gazetteer", str(write(tmp_path, "a,b,c\n")))


def test_addresses_are_normalised_for_searching():
    assert normalise_address("  Flat 2/1, 200 SAUCHIEHALL St. ") == "flat 2 1 200 sauchiehall st"
    assert normalise_address("Sràid na Banrighinn") == "sràid na banrighinn"


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("12 high st", 906700000001),
        ("14 High Street", 906700000002),
        ("200 sauchiehal st", 906700000009),
        ("LERWICK harbour", 906700000011),
    ],
)
def test_search_finds_addresses_despite_abbreviations_and_typos(db, tmp_path, query, first):
    load_gazetteer(write(tmp_path))
    assert search_addresses(query)[0].uprn == first


def test_search_finds_nothing_for_nothing_like_it(db, tmp_path):
    load_gazetteer(write(tmp_path))
    assert search_addresses("Buckingham Palace") == []
    assert search_addresses("1") == []
    assert len(search_addresses("high street", limit=1)) == 1


def test_search_can_use_the_trigram_index(db, tmp_path):
    load_gazetteer(write(tmp_path))
    with CaptureQueriesContext(connection) as queries:
        search_addresses("high street")
    (query,) = queries.captured_queries
    with connection.cursor() as cursor:
        # Five rows: left to itself the planner would rightly read the whole table.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {query['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on gazetteer_normalised_trgm" in plan
