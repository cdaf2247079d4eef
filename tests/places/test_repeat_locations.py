"""Repeat locations: contacts at the same postcode or near the same point, in a window."""

import math
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cairn.contacts.location_queries import repeat_location_count
from cairn.contacts.models import Contact

pytestmark = pytest.mark.django_db

HERE = (55.9503, -3.1930)  # Edinburgh's Royal Mile
METRES_PER_DEGREE = 111_195.0  # of latitude; of longitude, times cos(latitude)


def moved(north_m: float = 0, east_m: float = 0) -> tuple[float, float]:
    latitude, longitude = HERE
    return (
        latitude + north_m / METRES_PER_DEGREE,
        longitude + east_m / (METRES_PER_DEGREE * math.cos(math.radians(latitude))),
    )


def contact(days_ago: float = 1, *, postcode: str = "", at: tuple | None = None) -> Contact:
    latitude, longitude = at if at else (None, None)
    return Contact.objects.create(
        channel="web_form",
        received_at=timezone.now() - timedelta(days=days_ago),
        postcode=postcode,
        latitude=latitude,
        longitude=longitude,
    )


def count(postcode: str = "", at: tuple | None = (None, None), days: float = 30, **extra) -> int:
    now = timezone.now()
    return repeat_location_count(
        postcode=postcode,
        latitude=at[0],
        longitude=at[1],
        since=now - timedelta(days=days),
        until=now,
        **extra,
    )


def test_contacts_at_the_same_postcode_in_any_spelling_count():
    contact(postcode="EH1 1YZ")
    contact(postcode="EH1 1YZ", days_ago=10)
    contact(postcode="EH1 1YY")
    contact(postcode="")
    assert count("eh11yz") == 2
    assert count("EH1 1YZ") == 2


def test_only_the_window_counts():
    contact(postcode="EH1 1YZ", days_ago=5)
    contact(postcode="EH1 1YZ", days_ago=45)
    assert count("EH1 1YZ", days=30) == 1
    assert count("EH1 1YZ", days=60) == 2
    received = contact(postcode="G2 3EH", days_ago=3).received_at
    exactly = repeat_location_count(
        postcode="G2 3EH", latitude=None, longitude=None, since=received, until=received
    )
    assert exactly == 1  # both ends of the window are included


def test_nearby_coordinates_count_within_the_radius_in_every_direction():
    contact(at=moved(north_m=100))
    contact(at=moved(east_m=-120))
    contact(at=moved(north_m=-200))
    contact(at=moved(east_m=400))
    assert count(at=HERE) == 2
    assert count(at=HERE, radius_m=250) == 3
    assert count(at=HERE, radius_m=50) == 0


def test_a_corner_of_the_search_box_is_not_within_the_circle():
    contact(at=moved(north_m=120, east_m=120))  # 170 m away, inside a 150 m box's corner
    assert count(at=HERE) == 0
    assert count(at=HERE, radius_m=175) == 1


def test_the_same_postcode_or_nearby_each_count_and_a_contact_with_both_counts_once():
    contact(postcode="EH1 1YZ")  # same postcode, no coordinates
    contact(at=moved(north_m=50))  # nearby, no postcode
    contact(postcode="EH1 1YZ", at=moved(north_m=20))  # both
    contact(postcode="EH99 1SP", at=moved(north_m=5_000))  # neither
    assert count("EH1 1YZ", at=HERE) == 3


def test_the_contact_being_looked_at_can_be_left_out():
    looked_at = contact(postcode="EH1 1YZ", at=HERE)
    contact(postcode="EH1 1YZ")
    assert count("EH1 1YZ", at=HERE) == 2
    assert count("EH1 1YZ", at=HERE, exclude_contact_id=looked_at.pk) == 1


def test_without_a_place_there_is_nothing_to_count():
    contact(postcode="")
    assert count("") == 0
    assert count("not a postcode") == 0


def test_half_a_point_is_a_mistake():
    with pytest.raises(ValueError, match="both latitude and longitude"):
        count(at=(55.95, None))


def test_both_arms_are_answered_by_their_partial_indexes():
    # Enough contacts, spread over Scotland, for reading them all to cost more than the
    # indexes: the planner then chooses the indexes by itself, as it will in service.
    now = timezone.now()
    Contact.objects.bulk_create(
        Contact(
            channel="web_form",
            received_at=now - timedelta(hours=number),
            postcode=f"EH{number % 99 + 1} {number % 9}AB" if number % 3 else "",
            latitude=55 + (number % 97) / 50 if number % 2 else None,
            longitude=-5 + (number % 89) / 30 if number % 2 else None,
        )
        for number in range(5_000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE contacts_contact")
    with CaptureQueriesContext(connection) as queries:
        count("EH1 1YZ", at=HERE, exclude_contact_id=1)
    (query,) = queries.captured_queries
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {query['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "BitmapOr" in plan
    assert "Bitmap Index Scan on contact_postcode_received" in plan
    assert "Bitmap Index Scan on contact_location" in plan
    assert "Seq Scan" not in plan
