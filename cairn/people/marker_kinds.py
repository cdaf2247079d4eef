"""The marker kinds a record can carry, loaded from policy/markers.yaml."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from django.conf import settings

MARKERS_FILE = "markers.yaml"
KINDS = ("vulnerability", "risk")


class MarkerPolicyError(ValueError):
    pass


@dataclass(frozen=True)
class MarkerKind:
    code: str
    label: str
    kind: str  # vulnerability or risk
    review_days: int
    restricted: bool


def parse_marker_kinds(text: str, source: str = MARKERS_FILE) -> dict[str, MarkerKind]:
    data = yaml.safe_load(text)
    entries = data.get("markers") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise MarkerPolicyError(f"{source}: expected a non-empty 'markers' mapping")
    kinds: dict[str, MarkerKind] = {}
    for code, entry in entries.items():
        where = f"{source}: markers.{code}"
        if not isinstance(entry, dict) or set(entry) != {
            "label",
            "kind",
            "review_days",
            "restricted",
        }:
            raise MarkerPolicyError(f"{where} needs exactly label, kind, review_days, restricted")
        if entry["kind"] not in KINDS:
            raise MarkerPolicyError(f"{where}.kind must be one of {', '.join(KINDS)}")
        if not isinstance(entry["review_days"], int) or entry["review_days"] < 1:
            raise MarkerPolicyError(f"{where}.review_days must be a whole number of days")
        kinds[code] = MarkerKind(
            code=code,
            label=str(entry["label"]),
            kind=entry["kind"],
            review_days=entry["review_days"],
            restricted=bool(entry["restricted"]),
        )
    return kinds


@cache
def marker_kinds() -> dict[str, MarkerKind]:
    default = Path(settings.BASE_DIR) / "policy"
    path = Path(getattr(settings, "CAIRN_POLICY_DIR", "") or default) / MARKERS_FILE
    return parse_marker_kinds(path.read_text(encoding="utf-8"), str(path))


def marker_label(code: str) -> str:
    kind = marker_kinds().get(code)
    return kind.label if kind else code.replace("_", " ")
