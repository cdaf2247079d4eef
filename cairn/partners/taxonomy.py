"""Partner service types and referral outcomes, loaded from policy/partner_services.yaml.

Loaded strictly, like the incident categories: a missing or unknown key stops
the service at start, naming the file and the key. Codes are what referrals
and events store; labels are for people.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from django.conf import settings

SERVICES_FILE = "partner_services.yaml"
CODE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")
SERVICE_KEYS = {"label", "description"}


class PartnerPolicyError(ValueError):
    pass


@dataclass(frozen=True)
class ServiceType:
    code: str
    label: str
    description: str


@dataclass(frozen=True)
class PartnerPolicy:
    service_types: dict[str, ServiceType]
    outcomes: dict[str, str]


def _words(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PartnerPolicyError(f"{where} must be some words")
    return value.strip()


def _code(code: object, where: str) -> str:
    if not isinstance(code, str) or not CODE.match(code):
        raise PartnerPolicyError(f"{where}: a code is lower-case words joined by '_'")
    return code


def parse_policy(text: str, source: str = SERVICES_FILE) -> PartnerPolicy:
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or set(data) != {"version", "service_types", "outcomes"}:
        raise PartnerPolicyError(
            f"{source}: expected exactly 'version', 'service_types' and 'outcomes'"
        )
    if data["version"] != 1:
        raise PartnerPolicyError(f"{source}: version must be 1")
    types, outcomes = data["service_types"], data["outcomes"]
    if not isinstance(types, dict) or not types:
        raise PartnerPolicyError(f"{source}: expected a non-empty 'service_types' mapping")
    if not isinstance(outcomes, dict) or not outcomes:
        raise PartnerPolicyError(f"{source}: expected a non-empty 'outcomes' mapping")
    service_types: dict[str, ServiceType] = {}
    for code, entry in types.items():
        where = f"{source}: service_types.{code}"
        _code(code, where)
        if not isinstance(entry, dict) or set(entry) != SERVICE_KEYS:
            raise PartnerPolicyError(f"{where} needs exactly {', '.join(sorted(SERVICE_KEYS))}")
        service_types[code] = ServiceType(
            code=code,
            label=_words(entry["label"], f"{where}.label"),
            description=_words(entry["description"], f"{where}.description"),
        )
    outcome_labels = {
        _code(code, f"{source}: outcomes.{code}"): _words(label, f"{source}: outcomes.{code}")
        for code, label in outcomes.items()
    }
    return PartnerPolicy(service_types=service_types, outcomes=outcome_labels)


@cache
def partner_policy() -> PartnerPolicy:
    default = Path(settings.BASE_DIR) / "policy"
    path = Path(getattr(settings, "CAIRN_POLICY_DIR", "") or default) / SERVICES_FILE
    return parse_policy(path.read_text(encoding="utf-8"), str(path))


def service_types() -> dict[str, ServiceType]:
    return partner_policy().service_types


def service_type_label(code: str) -> str:
    service_type = service_types().get(code)
    return service_type.label if service_type else code.replace("_", " ")


def outcome_codes() -> dict[str, str]:
    return partner_policy().outcomes


def outcome_label(code: str) -> str:
    return outcome_codes().get(code, code.replace("_", " "))
