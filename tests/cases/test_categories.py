"""The incident category policy: loaded strictly, and every contact category has a home."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings

from cairn.cases.categories import (
    CategoryPolicyError,
    category_for_contact,
    category_label,
    incident_categories,
    parse_categories,
)

GOOD = """
version: 1
categories:
  crime.theft: {label: Theft, group: crime, from_contact: [crime.theft]}
  asb.nuisance: {label: Nuisance, group: antisocial_behaviour, from_contact: []}
"""


def test_the_shipped_policy_loads_with_the_national_groupings():
    categories = incident_categories()
    for code in ("crime.theft", "crime.assault", "crime.hate", "asb.nuisance", "road.collision"):
        assert code in categories
    assert categories["crime.hate"].is_crime
    assert not categories["property.lost"].is_crime
    assert category_label("concern.person") == "Concern for a person"


def test_every_contact_category_of_the_cam_policy_opens_a_known_case_category():
    cam = yaml.safe_load((Path(settings.BASE_DIR) / "policy" / "cam.yaml").read_text())
    for contact_category in cam["categories"]:
        assert category_for_contact(contact_category) in incident_categories(), contact_category


def test_a_good_file_parses():
    categories = parse_categories(GOOD)
    assert categories["crime.theft"].from_contact == ("crime.theft",)
    assert categories["asb.nuisance"].group == "antisocial_behaviour"


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("categories: {}", "exactly 'version' and 'categories'"),
        ("version: 2\ncategories: {a.b: {}}", "version must be 1"),
        ("version: 1\ncategories: {}", "non-empty"),
        (
            "version: 1\ncategories:\n  Theft: {label: T, group: crime, from_contact: []}",
            "two lower-case words",
        ),
        (
            "version: 1\ncategories:\n  crime.theft: {label: T, group: crime}",
            "needs exactly",
        ),
        (
            "version: 1\ncategories:\n  crime.theft: {label: T, group: crime, from_contact: [],"
            " colour: red}",
            "needs exactly",
        ),
        (
            "version: 1\ncategories:\n  crime.theft: {label: T, group: felony, from_contact: []}",
            "group must be one of",
        ),
        (
            "version: 1\ncategories:\n  crime.theft: {label: T, group: crime, from_contact: [x]}\n"
            "  crime.other: {label: O, group: crime, from_contact: [x]}",
            "x is already mapped to crime.theft",
        ),
    ],
)
def test_a_bad_file_is_refused_with_the_key_at_fault(text, complaint):
    with pytest.raises(CategoryPolicyError, match=complaint):
        parse_categories(text, "test.yaml")
