"""The incident categories a case is filed under, loaded from policy/incident_categories.yaml.

Loaded strictly: an unknown key, a missing key, an unknown group or a contact
category mapped twice stops the service at start, naming the file and key.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from django.conf import settings

CATEGORIES_FILE = "incident_categories.yaml"
GROUPS = ("crime", "antisocial_behaviour", "road", "public_safety", "property", "enquiry")
CODE = re.compile(r"^[a-z]+(_[a-z]+)*\.[a-z]+(_[a-z]+)*$")
KEYS = {"label", "group", "from_contact"}


class CategoryPolicyError(ValueError):
    pass


@dataclass(frozen=True)
class IncidentCategory:
    code: str
    label: str
    group: str
    from_contact: tuple[str, ...]

    @property
    def is_crime(self) -> bool:
        return self.group == "crime"


def parse_categories(text: str, source: str = CATEGORIES_FILE) -> dict[str, IncidentCategory]:
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or set(data) != {"version", "categories"}:
        raise CategoryPolicyError(f"{source}: expected exactly 'version' and 'categories'")
    if data["version"] != 1:
        raise CategoryPolicyError(f"{source}: version must be 1")
    entries = data["categories"]
    if not isinstance(entries, dict) or not entries:
        raise CategoryPolicyError(f"{source}: expected a non-empty 'categories' mapping")
    categories: dict[str, IncidentCategory] = {}
    mapped: dict[str, str] = {}
    for code, entry in entries.items():
        where = f"{source}: categories.{code}"
        if not isinstance(code, str) or not CODE.match(code):
            raise CategoryPolicyError(f"{where}: a code is two lower-case words joined by a dot")
        if not isinstance(entry, dict) or set(entry) != KEYS:
            raise CategoryPolicyError(f"{where} needs exactly {', '.join(sorted(KEYS))}")
        if not isinstance(entry["label"], str) or not entry["label"].strip():
            raise CategoryPolicyError(f"{where}.label must be some words")
        if entry["group"] not in GROUPS:
            raise CategoryPolicyError(f"{where}.group must be one of {', '.join(GROUPS)}")
        from_contact = entry["from_contact"]
        if not isinstance(from_contact, list) or not all(isinstance(c, str) for c in from_contact):
            raise CategoryPolicyError(f"{where}.from_contact must be a list of contact categories")
        for contact_category in from_contact:
            if contact_category in mapped:
                raise CategoryPolicyError(
                    f"{where}.from_contact: {contact_category} is already mapped to "
                    f"{mapped[contact_category]}"
                )
            mapped[contact_category] = code
        categories[code] = IncidentCategory(
            code=code,
            label=entry["label"].strip(),
            group=entry["group"],
            from_contact=tuple(from_contact),
        )
    return categories


@cache
def incident_categories() -> dict[str, IncidentCategory]:
    default = Path(settings.BASE_DIR) / "policy"
    path = Path(getattr(settings, "CAIRN_POLICY_DIR", "") or default) / CATEGORIES_FILE
    return parse_categories(path.read_text(encoding="utf-8"), str(path))


def category_label(code: str) -> str:
    category = incident_categories().get(code)
    return category.label if category else code.replace("_", " ")


def category_for_contact(contact_category: str) -> str | None:
    """The case category a contact of this category opens by default, if the policy names one."""
    for category in incident_categories().values():
        if contact_category in category.from_contact:
            return category.code
    return None
