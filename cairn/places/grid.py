"""British National Grid (OSGB36, EPSG:27700) <-> WGS84 latitude and longitude, with pyproj.

PROJ here has no network access and no OSTN15 grid file, so it uses the
seven-parameter Helmert transformation: good to a few metres, which is well
inside the size of a postcode. Transformers are made once per thread (pyproj
objects must not be shared between threads).
"""

import math
import threading
from collections.abc import Sequence

from pyproj import Transformer

BRITISH_NATIONAL_GRID = "EPSG:27700"
IRISH_GRID = "EPSG:29903"  # Northern Ireland's postcodes are on the Irish Grid (TM75)
WGS84 = "EPSG:4326"

# Generous bounds: anything outside is a typo, not a place in the UK.
GRID_EASTING = (0.0, 700_000.0)
GRID_NORTHING = (0.0, 1_300_000.0)
UK_LATITUDE = (49.0, 61.5)
UK_LONGITUDE = (-9.0, 2.5)

_local = threading.local()


def _transformer(source: str, target: str) -> Transformer:
    cache = _local.__dict__.setdefault("transformers", {})
    if (source, target) not in cache:
        cache[source, target] = Transformer.from_crs(source, target, always_xy=True)
    return cache[source, target]


def grid_to_lat_lon(
    eastings: Sequence[float], northings: Sequence[float], *, grid: str = BRITISH_NATIONAL_GRID
) -> tuple[list[float], list[float]]:
    """Latitudes and longitudes of many grid points at once (one call into PROJ)."""
    longitudes, latitudes = _transformer(grid, WGS84).transform(list(eastings), list(northings))
    return list(latitudes), list(longitudes)


def lat_lon_to_grid(
    latitudes: Sequence[float], longitudes: Sequence[float]
) -> tuple[list[float], list[float]]:
    """British National Grid eastings and northings of many WGS84 points at once."""
    eastings, northings = _transformer(WGS84, BRITISH_NATIONAL_GRID).transform(
        list(longitudes), list(latitudes)
    )
    return list(eastings), list(northings)


def to_grid(latitude: float, longitude: float) -> tuple[float, float]:
    """One WGS84 point on the British National Grid: (easting, northing)."""
    return _transformer(WGS84, BRITISH_NATIONAL_GRID).transform(longitude, latitude)


def to_lat_lon(easting: float, northing: float) -> tuple[float, float]:
    """One British National Grid point in WGS84: (latitude, longitude)."""
    longitude, latitude = _transformer(BRITISH_NATIONAL_GRID, WGS84).transform(easting, northing)
    return latitude, longitude


def within(value: float, bounds: tuple[float, float]) -> bool:
    return math.isfinite(value) and bounds[0] <= value <= bounds[1]
