"""Repeat locations: how many contacts came from the same place within a window.

"The same place" is the same postcode, or a point within ``radius_m`` of the
given coordinates. Each arm has its own partial index on contacts
(contact_postcode_received, a btree on (postcode, received_at) where there is
a postcode; contact_location, a GiST on point(longitude, latitude) where there
are coordinates), and PostgreSQL ORs the two bitmap index scans: no scan of
the whole table, however many contacts there are.

The point arm asks the GiST index for a bounding box around the point (in
degrees), then keeps only what is really within the radius (haversine, in
metres); the box is a little larger than the circle, never smaller.
"""

import math
from datetime import datetime

from django.db.models import BooleanField, F, FloatField, Func, Q, Value
from django.db.models.functions import ASin, Cos, Power, Radians, Sin, Sqrt
from django.db.models.lookups import LessThanOrEqual

from cairn.contacts.models import Contact
from cairn.places.postcodes import normalise_postcode

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
BOX_MARGIN = 1.01


def _point(x, y) -> Func:
    return Func(x, y, function="point")


def _near(latitude: float, longitude: float, radius_m: float) -> Q:
    """Within the bounding box (the GiST index answers it), then within the radius."""
    half_height = math.degrees(radius_m / EARTH_RADIUS_M) * BOX_MARGIN
    half_width = half_height / max(math.cos(math.radians(latitude)), 0.01)
    box = Func(
        _point(Value(longitude - half_width), Value(latitude - half_height)),
        _point(Value(longitude + half_width), Value(latitude + half_height)),
        function="box",
    )
    # The index's own expression, point(longitude, latitude), or the index is not used.
    in_box = Func(
        _point(F("longitude"), F("latitude")),
        box,
        template="%(expressions)s",
        arg_joiner=" <@ ",
        output_field=BooleanField(),
    )
    haversine = Power(Sin(Radians(F("latitude") - Value(latitude)) / 2), 2) + Cos(
        Radians(F("latitude"))
    ) * Value(math.cos(math.radians(latitude))) * Power(
        Sin(Radians(F("longitude") - Value(longitude)) / 2), 2
    )
    metres = Value(2 * EARTH_RADIUS_M) * ASin(Sqrt(haversine), output_field=FloatField())
    return Q(latitude__isnull=False) & Q(in_box) & Q(LessThanOrEqual(metres, radius_m))


def repeat_location_count(
    *,
    postcode: str,
    latitude: float | None,
    longitude: float | None,
    since: datetime,
    until: datetime,
    radius_m: float = 150,
    exclude_contact_id: int | None = None,
) -> int:
    """Contacts received from ``since`` to ``until`` (both included) at the same place.

    The same place: the same postcode (any spelling; one that is not a postcode
    matches nothing), or coordinates within ``radius_m`` metres. Give
    ``exclude_contact_id`` to leave out the contact being looked at. With neither a
    postcode nor coordinates there is no place, and the count is 0.
    """
    if (latitude is None) != (longitude is None):
        raise ValueError("give both latitude and longitude, or neither")
    try:
        postcode = normalise_postcode(postcode)
    except ValueError:
        postcode = ""
    place = Q()
    if postcode:
        # "<> ''" is the postcode index's condition: said here so the planner can use it.
        place |= Q(postcode=postcode) & ~Q(postcode="")
    if latitude is not None and longitude is not None:
        place |= _near(latitude, longitude, radius_m)
    if not place:
        return 0
    contacts = Contact.objects.filter(place, received_at__gte=since, received_at__lte=until)
    if exclude_contact_id is not None:
        contacts = contacts.exclude(pk=exclude_contact_id)
    return contacts.count()
