"""Reads about places: divisions, and where a postcode or a point is.

Division lookup: postcode -> its council area (a GSS code held in
policy/divisions.yaml) -> that council area's division. A point is first
matched to its nearest postcode (see ``Postcode`` for the index that makes it
one index walk), then the same.
"""

from dataclasses import dataclass
from typing import Literal

from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db.models import FloatField, Func, QuerySet, Value

from cairn.places import grid
from cairn.places.gazetteer import normalise_address
from cairn.places.models import Division, GazetteerAddress, Postcode, grid_point
from cairn.places.postcodes import normalise_postcode

NEAREST_WITHIN_M = 2000.0


def divisions() -> QuerySet:
    return Division.objects.order_by("code")


@dataclass(frozen=True)
class NearestPostcode:
    postcode: str
    distance_m: float
    division: Division | None


@dataclass(frozen=True)
class Location:
    """Where something is, as far as we can tell, and how we told.

    ``how`` is "postcode" when the given postcode is in the directory,
    "coordinates" when the coordinates had a postcode within reach, "unknown"
    otherwise. ``division`` is None outside the council areas we hold, even when
    ``how`` is not "unknown" (an English postcode is known, but not ours).
    """

    postcode: str  # the given postcode, normalised, or the nearest one; "" when neither
    division: Division | None
    latitude: float | None  # the given coordinates, else the postcode's
    longitude: float | None
    how: Literal["postcode", "coordinates", "unknown"]


def _postcodes() -> QuerySet:
    return Postcode.objects.select_related("council_area__division")


def _division(postcode: Postcode) -> Division | None:
    return postcode.council_area.division if postcode.council_area else None


def find_postcode(postcode: str) -> Postcode | None:
    """The directory's entry for a postcode in any spelling, or None (unknown or not one)."""
    try:
        normalised = normalise_postcode(postcode)
    except ValueError:
        return None
    if not normalised:
        return None
    return _postcodes().filter(postcode=normalised).first()


def division_for_postcode(postcode: str) -> Division | None:
    found = find_postcode(postcode)
    return _division(found) if found else None


def nearest_postcode(
    latitude: float, longitude: float, *, within_m: float = NEAREST_WITHIN_M
) -> NearestPostcode | None:
    """The postcode nearest a WGS84 point, if one lies within ``within_m`` metres.

    Distances are to the postcode's grid reference (roughly the middle of its
    addresses), on the British National Grid.
    """
    easting, northing = grid.to_grid(latitude, longitude)
    if not (grid.within(easting, grid.GRID_EASTING) and grid.within(northing, grid.GRID_NORTHING)):
        return None
    here = Func(Value(easting), Value(northing), function="point")
    found = (
        _postcodes()
        .filter(easting__isnull=False)  # the index's condition: say it, so the index is used
        .annotate(distance=distance_between(grid_point(), here))
        .order_by("distance")
        .first()
    )
    if found is None or found.distance > within_m:
        return None
    return NearestPostcode(found.postcode, found.distance, _division(found))


def distance_between(first: Func, second: Func) -> Func:
    """``first <-> second``: the operator a GiST index can answer nearest-first."""
    return Func(
        first, second, template="(%(expressions)s)", arg_joiner=" <-> ", output_field=FloatField()
    )


def division_for_point(latitude: float, longitude: float) -> Division | None:
    nearest = nearest_postcode(latitude, longitude)
    return nearest.division if nearest else None


def locate(postcode: str, latitude: float | None, longitude: float | None) -> Location:
    """Division and postcode for what a contact gave: the postcode first, then the coordinates.

    The postcode the person typed is about the matter; coordinates may be where
    their phone was. A postcode not in the directory falls back to the coordinates.
    """
    try:
        given = normalise_postcode(postcode)
    except ValueError:
        given = ""
    has_point = latitude is not None and longitude is not None
    found = _postcodes().filter(postcode=given).first() if given else None
    if found is not None:
        return Location(
            postcode=found.postcode,
            division=_division(found),
            latitude=latitude if has_point else found.latitude,
            longitude=longitude if has_point else found.longitude,
            how="postcode",
        )
    if has_point:
        nearest = nearest_postcode(latitude, longitude)
        if nearest is not None:
            return Location(
                given or nearest.postcode, nearest.division, latitude, longitude, "coordinates"
            )
    return Location(
        given, None, latitude if has_point else None, longitude if has_point else None, "unknown"
    )


def search_addresses(text: str, limit: int = 10) -> list[GazetteerAddress]:
    """Gazetteer addresses that contain something like ``text``, best first.

    "Contains something like" is pg_trgm's word similarity (``text <% normalised``,
    above pg_trgm.word_similarity_threshold, 0.6 by default), which the GIN
    trigram index answers: "12 high st" finds "12 High Street, Edinburgh".
    """
    query = normalise_address(text)
    if len(query) < 3:
        return []
    return list(
        GazetteerAddress.objects.filter(normalised__trigram_word_similar=query)
        .annotate(
            closeness=TrigramWordSimilarity(query, "normalised"),
            likeness=TrigramSimilarity("normalised", query),
        )
        .order_by("-closeness", "-likeness", "uprn")[:limit]
    )
