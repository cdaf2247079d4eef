"""Postcode normalisation and the ONS Postcode Directory loader."""

import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cairn.places.models import CouncilArea, Postcode
from cairn.places.postcodes import load_postcodes, normalise_postcode, package_directory
from tests.places.directory_files import SAMPLE, write_directory


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("EH1 1YZ", "EH1 1YZ"),
        ("eh11yz", "EH1 1YZ"),
        ("  eh1   1yz ", "EH1 1YZ"),
        ("sw1a1aa", "SW1A 1AA"),
        ("G2 3EH", "G2 3EH"),
        ("EH12\t9DN", "EH12 9DN"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_a_postcode_is_normalised_whatever_the_spacing_and_case(given, expected):
    assert normalise_postcode(given) == expected


@pytest.mark.parametrize("given", ["EH1", "12345", "EH1 1Y", "EH1 1YZZ", "GIR 0AA", "E H 1"])
def test_what_is_not_a_postcode_is_refused(given):
    with pytest.raises(ValueError, match="real postcode"):
        normalise_postcode(given)


def test_by_default_only_the_council_areas_we_hold_are_loaded(divisions, tmp_path):
    result = load_postcodes(directory=write_directory(tmp_path))
    assert set(Postcode.objects.values_list("postcode", flat=True)) == {
        "EH1 1YZ",
        "EH1 3EG",
        "EH99 1ZZ",
        "G2 3EH",
    }
    assert result.read == sum(len(rows) for rows in SAMPLE.values())
    assert (result.loaded, result.changed, result.removed) == (4, 4, 0)
    edinburgh = Postcode.objects.get(postcode="EH1 1YZ")
    assert edinburgh.council_area_id == "S12000036"
    assert edinburgh.local_authority_code == "S12000036"
    assert (edinburgh.easting, edinburgh.northing) == (325597.0, 673676.0)
    # Edinburgh's Old Town, from the grid reference.
    assert edinburgh.latitude == pytest.approx(55.9503, abs=0.001)
    assert edinburgh.longitude == pytest.approx(-3.1930, abs=0.001)


def test_everything_loads_every_usable_postcode_and_keeps_whose_it_is(divisions, tmp_path):
    result = load_postcodes(everything=True, directory=write_directory(tmp_path))
    assert result.skipped == 2  # "GIR 0AA", and the row with neither authority nor place
    assert Postcode.objects.count() == 7
    london = Postcode.objects.get(postcode="SW1A 1AA")
    assert london.council_area_id is None
    assert london.local_authority_code == "E09000033"
    assert london.latitude == pytest.approx(51.501, abs=0.001)
    guernsey = Postcode.objects.get(postcode="GY1 1AA")
    assert (guernsey.easting, guernsey.latitude) == (None, None)


def test_northern_irish_grid_references_are_converted_to_the_british_grid(divisions, tmp_path):
    load_postcodes(everything=True, directory=write_directory(tmp_path))
    belfast = Postcode.objects.get(postcode="BT1 1AA")
    # Belfast city centre, not somewhere in the Irish Sea off Cumbria.
    assert belfast.latitude == pytest.approx(54.60, abs=0.01)
    assert belfast.longitude == pytest.approx(-5.92, abs=0.01)
    assert belfast.easting == pytest.approx(146_800, abs=500)
    assert belfast.northing == pytest.approx(530_100, abs=500)


def test_loading_again_changes_nothing_and_a_dropped_postcode_is_removed(divisions, tmp_path):
    directory = write_directory(tmp_path)
    load_postcodes(directory=directory)
    again = load_postcodes(directory=directory)
    assert (again.loaded, again.changed, again.removed) == (4, 0, 0)

    write_directory(directory, {"E": SAMPLE["E"][:2]})
    shorter = load_postcodes(directory=directory)
    assert (shorter.changed, shorter.removed) == (0, 1)
    assert not Postcode.objects.filter(postcode="EH99 1ZZ").exists()


def test_a_moved_grid_reference_is_updated(divisions, tmp_path):
    directory = write_directory(tmp_path)
    load_postcodes(directory=directory)
    moved = [("EH1 1YZ", "S12000036", 325600.0, 673680.0), *SAMPLE["E"][1:]]
    result = load_postcodes(directory=write_directory(directory, {"E": moved}))
    assert result.changed == 1
    assert Postcode.objects.get(postcode="EH1 1YZ").easting == 325600.0


def test_loading_one_letter_leaves_the_other_letters_alone(divisions, tmp_path):
    directory = write_directory(tmp_path)
    load_postcodes(directory=directory)
    result = load_postcodes(directory=directory, letters=["g"])
    assert (result.loaded, result.removed) == (1, 0)
    assert Postcode.objects.count() == 4


def test_row_oriented_files_are_read_too(divisions, tmp_path):
    load_postcodes(directory=write_directory(tmp_path, row_oriented=True))
    assert Postcode.objects.count() == 4


def test_without_council_areas_the_default_load_says_what_to_do(db, tmp_path):
    assert not CouncilArea.objects.exists()
    with pytest.raises(LookupError, match="load the divisions first"):
        load_postcodes(directory=write_directory(tmp_path))


def test_an_empty_directory_is_an_error(divisions, tmp_path):
    with pytest.raises(FileNotFoundError):
        load_postcodes(directory=tmp_path)


def test_the_real_shetland_postcodes_load_quickly_and_map_to_highlands_and_islands(divisions):
    # "Z" is the smallest file the package ships: Shetland's ZE postcodes.
    assert (package_directory() / "postcodes_Z.msgpack.br").is_file()
    started = time.monotonic()
    result = load_postcodes(letters=["Z"])
    assert time.monotonic() - started < 3
    assert result.loaded > 700
    lerwick = Postcode.objects.select_related("council_area__division").get(postcode="ZE1 0AA")
    assert lerwick.council_area_id == "S12000027"  # Shetland Islands
    assert lerwick.council_area.division.code == "N"
    assert lerwick.latitude == pytest.approx(60.15, abs=0.02)  # Lerwick
    assert lerwick.longitude == pytest.approx(-1.14, abs=0.02)


def test_the_command_prints_counts_and_skips_when_asked_if_already_loaded(divisions):
    out = StringIO()
    call_command("load_postcodes", "--letter", "Z", stdout=out)
    assert "loaded" in out.getvalue()
    assert " s\n" in out.getvalue()
    count = Postcode.objects.count()
    out = StringIO()
    call_command("load_postcodes", "--if-empty", stdout=out)
    assert out.getvalue().strip() == "postcodes already loaded"
    assert Postcode.objects.count() == count


def test_the_command_refuses_when_no_council_areas_are_held(db):
    with pytest.raises(CommandError, match="load the divisions first"):
        call_command("load_postcodes", "--letter", "Z")
