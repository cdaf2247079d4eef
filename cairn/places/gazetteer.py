"""A force's own address gazetteer: reading its CSV file and loading it.

The format is in docs/places.md: a header naming ``uprn``, ``address``,
``postcode`` and either ``easting``/``northing`` (British National Grid) or
``latitude``/``longitude`` (WGS84). Every row is checked; a bad row is
reported by its line number and left out, and the rest still load. A UPRN
given twice keeps its first line. Loading is idempotent by UPRN: rows that did
not change are not written, and addresses missing from the file are kept (a
change-only file is a valid gazetteer update).

The file is read in batches and staged with COPY, so a national gazetteer
(millions of rows) never sits in memory at once.
"""

import csv
import math
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

from django.db import connection, transaction

from cairn.places import grid
from cairn.places.postcodes import normalise_postcode

BATCH = 20_000
MAX_REPORTED = 1_000  # bad rows listed one by one; beyond that, only counted
MAX_ADDRESS = 400
MAX_UPRN = 999_999_999_999  # 12 digits
REQUIRED = ("uprn", "address", "postcode")
PAIRS = (("easting", "northing"), ("latitude", "longitude"))


class GazetteerFormatError(ValueError):
    """The file as a whole cannot be read (its header, mostly)."""


@dataclass(frozen=True)
class BadRow:
    line: int
    message: str


@dataclass
class GazetteerReport:
    rows: int = 0  # data rows read
    loaded: int = 0  # distinct UPRNs accepted from the file
    changed: int = 0  # inserted or updated
    bad_count: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)  # the first MAX_REPORTED
    seconds: float = 0.0

    def bad(self, line: int, message: str) -> None:
        self.bad_count += 1
        if len(self.bad_rows) < MAX_REPORTED:
            self.bad_rows.append(BadRow(line, message))


def normalise_address(text: str) -> str:
    """'12, High St.' -> '12 high st': case and punctuation do not count when searching."""
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


@dataclass(frozen=True)
class _Row:
    line: int
    uprn: int
    address: str
    postcode: str
    easting: float | None
    northing: float | None
    latitude: float | None
    longitude: float | None


def _columns(header: list[str] | None) -> dict[str, int]:
    if not header:
        raise GazetteerFormatError("the file is empty: it needs a header row")
    names = [name.strip().lower() for name in header]
    at = {name: index for index, name in enumerate(names) if name}
    missing = [name for name in REQUIRED if name not in at]
    if missing:
        raise GazetteerFormatError(f"the header has no {', '.join(missing)} column")
    if not any(all(name in at for name in pair) for pair in PAIRS):
        raise GazetteerFormatError(
            "the header needs easting and northing, or latitude and longitude"
        )
    return at


def _number(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} is not a number: {text[:20]!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} is not a number: {text[:20]!r}")
    return value


def _place(values: dict[str, str]) -> tuple[float | None, ...]:
    """(easting, northing, latitude, longitude) from whichever pair the row fills."""
    for first, second in PAIRS:
        if values.get(first) or values.get(second):
            a, b = _number(values.get(first, ""), first), _number(values.get(second, ""), second)
            if first == "easting":
                if not (grid.within(a, grid.GRID_EASTING) and grid.within(b, grid.GRID_NORTHING)):
                    raise ValueError("easting and northing are outside Great Britain's grid")
                return a, b, None, None
            if not (grid.within(a, grid.UK_LATITUDE) and grid.within(b, grid.UK_LONGITUDE)):
                raise ValueError("latitude and longitude are outside the UK")
            return None, None, a, b
    raise ValueError("no coordinates: give easting and northing, or latitude and longitude")


def _parse(line: int, cells: list[str], at: dict[str, int], width: int) -> _Row:
    if len(cells) != width:
        raise ValueError(f"{len(cells)} fields where the header has {width}")
    values = {name: cells[index].strip() for name, index in at.items()}
    if any("\x00" in value or _has_undecodable(value) for value in values.values()):
        raise ValueError("not UTF-8 text")
    uprn_text = values["uprn"]
    if not uprn_text.isascii() or not uprn_text.isdigit() or not 0 < int(uprn_text) <= MAX_UPRN:
        raise ValueError(f"uprn must be a number of up to 12 digits, not {uprn_text[:20]!r}")
    address = " ".join(values["address"].split())
    if not address:
        raise ValueError("address is empty")
    if len(address) > MAX_ADDRESS:
        raise ValueError(f"address is longer than {MAX_ADDRESS} characters")
    try:
        postcode = normalise_postcode(values["postcode"])
    except ValueError:
        raise ValueError(f"postcode {values['postcode'][:20]!r} is not a UK postcode") from None
    return _Row(line, int(uprn_text), address, postcode, *_place(values))


def _has_undecodable(text: str) -> bool:
    # Bytes that are not UTF-8 arrive as lone surrogates (errors="surrogateescape").
    return any("\udc80" <= character <= "\udcff" for character in text)


def read_gazetteer(stream: TextIO, report: GazetteerReport) -> Iterator[list[_Row]]:
    """Batches of good rows; every bad one goes into ``report`` with its line number."""
    reader = csv.reader(stream)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise GazetteerFormatError(f"line 1: {error}") from error
    at = _columns(header)
    width = len(header)
    while True:
        batch: list[_Row] = []
        for _ in range(BATCH):
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                report.rows += 1
                report.bad(start, str(error))
                continue
            if not any(cell.strip() for cell in cells):
                continue  # blank line
            report.rows += 1
            try:
                batch.append(_parse(start, cells, at, width))
            except ValueError as error:
                report.bad(start, str(error))
        if not batch:
            return
        yield _locate(batch)


def _locate(rows: list[_Row]) -> list[_Row]:
    """Fill in the grid reference or the latitude and longitude each row did not give."""
    from_grid = [row for row in rows if row.latitude is None]
    from_degrees = [row for row in rows if row.latitude is not None]
    filled: dict[int, _Row] = {}
    if from_grid:
        latitudes, longitudes = grid.grid_to_lat_lon(
            [row.easting for row in from_grid], [row.northing for row in from_grid]
        )
        for row, latitude, longitude in zip(from_grid, latitudes, longitudes, strict=True):
            filled[row.line] = replace(row, latitude=latitude, longitude=longitude)
    if from_degrees:
        eastings, northings = grid.lat_lon_to_grid(
            [row.latitude for row in from_degrees], [row.longitude for row in from_degrees]
        )
        for row, easting, northing in zip(from_degrees, eastings, northings, strict=True):
            filled[row.line] = replace(row, easting=easting, northing=northing)
    return [filled[row.line] for row in rows]


STAGE = """
    CREATE TEMPORARY TABLE gazetteer_load (
        line integer, uprn bigint, address_text text, normalised text, postcode text,
        easting double precision, northing double precision,
        latitude double precision, longitude double precision
    ) ON COMMIT DROP
"""
STAGED = "line, uprn, address_text, normalised, postcode, easting, northing, latitude, longitude"
DUPLICATES = """
    SELECT line, first_line FROM (
        SELECT line, min(line) OVER (PARTITION BY uprn) AS first_line FROM gazetteer_load
    ) lines WHERE line <> first_line ORDER BY line
"""
UPSERT = """
    INSERT INTO places_gazetteeraddress (
        uprn, address_text, normalised, postcode, easting, northing, latitude, longitude,
        updated_at
    )
    SELECT DISTINCT ON (uprn)
        uprn, address_text, normalised, postcode, easting, northing, latitude, longitude, now()
    FROM gazetteer_load ORDER BY uprn, line
    ON CONFLICT (uprn) DO UPDATE SET
        address_text = EXCLUDED.address_text,
        normalised = EXCLUDED.normalised,
        postcode = EXCLUDED.postcode,
        easting = EXCLUDED.easting,
        northing = EXCLUDED.northing,
        latitude = EXCLUDED.latitude,
        longitude = EXCLUDED.longitude,
        updated_at = EXCLUDED.updated_at
    WHERE (
        places_gazetteeraddress.address_text, places_gazetteeraddress.postcode,
        places_gazetteeraddress.easting, places_gazetteeraddress.northing,
        places_gazetteeraddress.latitude, places_gazetteeraddress.longitude
    ) IS DISTINCT FROM (
        EXCLUDED.address_text, EXCLUDED.postcode, EXCLUDED.easting, EXCLUDED.northing,
        EXCLUDED.latitude, EXCLUDED.longitude
    )
"""


def load_gazetteer(path: Path) -> GazetteerReport:
    """Load a gazetteer CSV file. Raises GazetteerFormatError when its header is unusable."""
    started = time.monotonic()
    report = GazetteerReport()
    with (
        path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as stream,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        batches = read_gazetteer(stream, report)
        first = next(batches, None)  # reads the header: a bad file fails before any SQL
        cursor.execute(STAGE)
        with cursor.copy(f"COPY gazetteer_load ({STAGED}) FROM STDIN") as copy:
            for batch in _chain(first, batches):
                for row in batch:
                    copy.write_row(
                        (
                            row.line,
                            row.uprn,
                            row.address,
                            normalise_address(row.address),
                            row.postcode,
                            row.easting,
                            row.northing,
                            row.latitude,
                            row.longitude,
                        )
                    )
        cursor.execute(DUPLICATES)
        for line, first_line in cursor.fetchall():
            report.bad(line, f"uprn already given on line {first_line}")
        cursor.execute(UPSERT)
        report.changed = cursor.rowcount
        cursor.execute("SELECT count(DISTINCT uprn) FROM gazetteer_load")
        report.loaded = cursor.fetchone()[0]
        cursor.execute("DROP TABLE gazetteer_load")  # not left to ON COMMIT: we may be nested
    report.bad_rows.sort(key=lambda bad: bad.line)
    report.seconds = time.monotonic() - started
    return report


def _chain(first: list[_Row] | None, rest: Iterator[list[_Row]]) -> Iterator[list[_Row]]:
    if first is not None:
        yield first
        yield from rest
