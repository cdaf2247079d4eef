"""The matching weights and thresholds, loaded from policy/matching.yaml.

Strict like the CAM policy: an unknown or missing key is an error naming
the file and the key, so a typo cannot silently switch a comparison off.
"""

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

MATCHING_FILE = "matching.yaml"

# section -> keys it must have (every one a number)
SECTIONS: dict[str, tuple[str, ...]] = {
    "thresholds": ("link", "possible", "possible_without_name", "margin"),
    "given_name": (
        "exact",
        "nickname",
        "close",
        "near",
        "initial",
        "different",
        "close_similarity",
        "near_similarity",
    ),
    "family_name": ("exact", "close", "near", "different", "close_similarity", "near_similarity"),
    "date_of_birth": (
        "exact",
        "day_month_swapped",
        "year_off_by_one",
        "one_part_differs",
        "different",
    ),
    "phone": ("same", "different"),
    "email": ("same", "different"),
    "postcode": ("same", "same_district"),
    "address": ("same", "similar", "same_ratio", "similar_ratio"),
    "blocking": ("name_similarity", "max_candidates"),
}


class MatchingPolicyError(ValueError):
    pass


@dataclass(frozen=True)
class MatchingPolicy:
    weights: dict[str, dict[str, float]]
    swapped_names: float
    digest: str

    def __getitem__(self, section: str) -> dict[str, float]:
        return self.weights[section]

    @property
    def link_threshold(self) -> float:
        return self.weights["thresholds"]["link"]

    @property
    def possible_threshold(self) -> float:
        return self.weights["thresholds"]["possible"]

    @property
    def link_margin(self) -> float:
        """How far the best must beat a runner-up that also passes ``link``."""
        return self.weights["thresholds"]["margin"]

    @property
    def nameless_threshold(self) -> float:
        """The bar for a possible match when the contact gives no name."""
        return self.weights["thresholds"]["possible_without_name"]


def parse_matching_policy(text: str, source: str = MATCHING_FILE) -> MatchingPolicy:
    data: Any = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise MatchingPolicyError(f"{source}: expected a mapping at the top")
    expected = {*SECTIONS, "version", "swapped_names"}
    unknown = sorted(set(data) - expected)
    if unknown:
        raise MatchingPolicyError(f"{source}: unknown key {unknown[0]!r}")
    weights: dict[str, dict[str, float]] = {}
    for section, keys in SECTIONS.items():
        values = data.get(section)
        if not isinstance(values, dict):
            raise MatchingPolicyError(f"{source}: {section} is missing")
        extra = sorted(set(values) - set(keys))
        if extra:
            raise MatchingPolicyError(f"{source}: unknown key {section}.{extra[0]}")
        for key in keys:
            if not isinstance(values.get(key), int | float) or isinstance(values.get(key), bool):
                raise MatchingPolicyError(f"{source}: {section}.{key} must be a number")
        weights[section] = {key: float(values[key]) for key in keys}
    if not isinstance(data.get("swapped_names"), int | float):
        raise MatchingPolicyError(f"{source}: swapped_names must be a number")
    if weights["thresholds"]["possible"] > weights["thresholds"]["link"]:
        raise MatchingPolicyError(f"{source}: thresholds.possible is above thresholds.link")
    return MatchingPolicy(
        weights=weights,
        swapped_names=float(data["swapped_names"]),
        digest=hashlib.sha256(text.encode()).hexdigest(),
    )


def load_matching_policy(path: Path) -> MatchingPolicy:
    return parse_matching_policy(path.read_text(encoding="utf-8"), str(path))


@cache
def current_matching_policy() -> MatchingPolicy:
    default = Path(settings.BASE_DIR) / "policy"
    directory = Path(getattr(settings, "CAIRN_POLICY_DIR", "") or default)
    return load_matching_policy(directory / MATCHING_FILE)
