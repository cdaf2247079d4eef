"""Division for a postcode, nearest postcode to a point, and locating what a contact gave."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cairn.places.models import Postcode
from cairn.places.postcodes import load_postcodes
from cairn.places.queries import (
    division_for_point,
    division_for_postcode,
    locate,
    nearest_postcode,
)
from tests.places.directory_files import write_directory

# Points (WGS84) near the sample postcodes.
EDINBURGH_OLD_TOWN = (55.95035, -3.19300)  # a few metres from EH1 1YZ
GLASGOW_CENTRE = (55.8650, -4.2600)
NORTH_SEA = (56.5, 0.5)  # about 100 km off Fife Ness
LONDON = (51.5010, -0.1416)


@pytest.fixture
def postcodes(divisions, tmp_path):
    load_postcodes(everything=True, directory=write_directory(tmp_path))


@pytest.mark.parametrize("spelling", ["EH1 1YZ", "eh11yz", " Eh1  1yZ "])
def test_a_postcode_in_any_spelling_gives_its_division(postcodes, spelling):
    assert division_for_postcode(spelling).code == "E"


@pytest.mark.parametrize(
    "postcode",
    [
        "SW1A 1AA",  # held, but its council is not one of ours
        "EH1 9ZZ",  # a postcode, not in the directory
        "not a postcode",
        "",
    ],
)
def test_no_division_for_what_is_not_ours_or_not_known(postcodes, postcode):
    assert division_for_postcode(postcode) is None


def test_the_nearest_postcode_to_a_point_with_its_distance_and_division(postcodes):
    nearest = nearest_postcode(*EDINBURGH_OLD_TOWN)
    assert nearest.postcode == "EH1 1YZ"
    assert nearest.distance_m < 10
    assert nearest.division.code == "E"
    assert division_for_point(*GLASGOW_CENTRE).code == "G"


def test_a_point_in_the_sea_beyond_reach_has_no_postcode(postcodes):
    assert nearest_postcode(*NORTH_SEA) is None
    assert division_for_point(*NORTH_SEA) is None


def test_within_m_is_the_reach(postcodes):
    # Glasgow centre is some 130 m from G2 3EH.
    assert nearest_postcode(*GLASGOW_CENTRE, within_m=1000) is not None
    assert nearest_postcode(*GLASGOW_CENTRE, within_m=10) is None


def test_a_point_nearest_a_postcode_that_is_not_ours_has_no_division(postcodes):
    nearest = nearest_postcode(*LONDON)
    assert nearest.postcode == "SW1A 1AA"
    assert nearest.division is None


def test_a_point_far_outside_the_grid_is_nowhere(postcodes):
    assert nearest_postcode(0.0, 0.0) is None


def test_the_nearest_postcode_is_an_index_walk_not_a_scan(divisions):
    # The real Shetland file: enough rows that a scan and a sort would cost more.
    load_postcodes(letters=["Z"])
    lerwick = Postcode.objects.get(postcode="ZE1 0AA")
    with CaptureQueriesContext(connection) as queries:
        nearest = nearest_postcode(lerwick.latitude, lerwick.longitude)
    assert nearest.distance_m < 1  # ZE1 0AA, or a postcode sharing its grid reference
    (query,) = queries.captured_queries
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {query['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan using postcode_nearest on places_postcode" in plan
    assert "Order By: (point(easting, northing) <->" in plan
    assert "Seq Scan on places_postcode" not in plan


def test_locate_prefers_the_postcode_and_keeps_the_given_coordinates(postcodes):
    location = locate("eh1 1yz", *GLASGOW_CENTRE)
    assert (location.postcode, location.division.code, location.how) == ("EH1 1YZ", "E", "postcode")
    assert (location.latitude, location.longitude) == GLASGOW_CENTRE


def test_locate_with_a_postcode_alone_gives_its_place(postcodes):
    location = locate("G2 3EH", None, None)
    assert (location.division.code, location.how) == ("G", "postcode")
    assert location.latitude == pytest.approx(55.864, abs=0.01)


def test_locate_falls_back_to_the_coordinates(postcodes):
    location = locate("", *EDINBURGH_OLD_TOWN)
    assert (location.postcode, location.division.code, location.how) == (
        "EH1 1YZ",
        "E",
        "coordinates",
    )
    unknown_postcode = locate("EH1 9ZZ", *GLASGOW_CENTRE)
    assert (unknown_postcode.postcode, unknown_postcode.division.code) == ("EH1 9ZZ", "G")
    assert unknown_postcode.how == "coordinates"


def test_locate_without_anything_usable_is_unknown(postcodes):
    nothing = locate("", None, None)
    assert (nothing.postcode, nothing.division, nothing.how) == ("", None, "unknown")
    at_sea = locate("rubbish", *NORTH_SEA)
    assert (at_sea.postcode, at_sea.division, at_sea.how) == ("", None, "unknown")
    assert (at_sea.latitude, at_sea.longitude) == NORTH_SEA


def test_locate_a_postcode_that_is_not_ours(postcodes):
    location = locate("SW1A 1AA", None, None)
    assert (location.division, location.how) == (None, "postcode")
