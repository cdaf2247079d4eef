"""An Immediate or Prompt contact as a NENA EIDO document for command and control.

``build_eido`` is pure: the same ``IncidentFacts`` (and settings) always give the
same document, ids included, so a connector that retries a post sends the very
same document and the receiver can de-duplicate on its ids. It reads no clock,
makes no random ids and adds no words of its own: every text in the document is
a fact it was given, the sending agency's settings, or a value of a published
registry or format (listed in docs/eido.md).

The schema is NENA-STA-021.1b (EIDO JSON, version 1.0); locations are PIDF-LO
(RFC 4119, civic address RFC 5139, shapes RFC 5491) as the EIDO asks.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import quote

from django.conf import settings

EIDO_VERSION = "1.0"
DEFAULT_AGENCY_ID = "scotland.police.uk"
DEFAULT_FORCE_NAME = "Police Scotland"

GRADES = ("immediate", "prompt")

# incidentCommonPriorityNumber: 0 (lowest) to 10 (highest), NENA-STA-021.
COMMON_PRIORITY = {"immediate": 10, "prompt": 8}

# Cairn's incident categories (policy/incident_categories.yaml) to the APCO
# common incident types (APCO ANS 2.103.1, the `apco` NIEM component of the EIDO
# schema), which command and control systems map to their own codes. The
# category's own code and label travel with it as the internal type.
INCIDENT_TYPES = {
    "crime.theft": "LARCENY",
    "crime.housebreaking": "BURGLARY",
    "crime.vehicle": "VEHSTLN",
    "crime.assault": "ASSAULT",
    "crime.domestic_abuse": "DVNA",
    "crime.criminal_damage": "VANDAL",
    "crime.fraud": "FRAUD",
    "crime.hate": "HARR",
    "crime.other": "INVEST",
    "asb.nuisance": "DISORD",
    "asb.noise": "NOISE",
    "road.collision": "MVA",
    "road.dangerous_driving": "RECKDRV",
    "concern.person": "WELFARE",
    "concern.missing_person": "WELFARE",
    "property.lost": "PROPLOST",
    "property.found": "PROPFND",
    "enquiry.general": "INFO",
}
# A category added to the policy after this table: sent, typed for investigation.
FALLBACK_INCIDENT_TYPE = "INVEST"

E164 = re.compile(r"\+[1-9]\d{6,14}")

# Registry and format values the document uses (NENA registries, IANA, OGC).
AGENCY_ROLE = "CallReceiving"
AGENCY_TYPE = "police"
CALLER_ROLE = "Caller"
LOCATION_TYPE = "Incident"
CALL_TYPE = "emergency"
CALL_DIRECTION = "incoming"
CALL_STATE = "callAnswered"
COUNTRY = "GB"
WGS84 = "urn:ogc:def:crs:EPSG::4326"
METRES = "urn:ogc:def:uom:EPSG::9001"
CONTEXT = {"@vocab": "./JSON-LD_Contexts/EmergencyIncidentDataObjectType.jsonld"}


@dataclass(frozen=True)
class Location:
    """Where the incident is: an address, coordinates, or both."""

    address_text: str = ""
    postcode: str = ""
    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None  # the radius, in metres, the point is good to
    division_code: str = ""

    def __post_init__(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude come together")
        if self.latitude is not None:
            if not (-90 <= self.latitude <= 90 and -180 <= self.longitude <= 180):
                raise ValueError("coordinates out of range")
            if self.accuracy_m is not None and not (
                math.isfinite(self.accuracy_m) and self.accuracy_m >= 0
            ):
                raise ValueError("accuracy is a distance in metres")

    @property
    def has_address(self) -> bool:
        return bool(self.address_text.strip() or self.postcode.strip())

    @property
    def has_point(self) -> bool:
        return self.latitude is not None


@dataclass(frozen=True)
class Caller:
    """Who called, when they gave their details."""

    name: str = ""
    phone: str = ""  # E.164, like +441315550123

    def __post_init__(self) -> None:
        if self.phone and not E164.fullmatch(self.phone):
            raise ValueError("the caller's phone is an E.164 number")


@dataclass(frozen=True)
class IncidentFacts:
    """What Cairn knows of a contact graded Immediate or Prompt, as plain values."""

    reference: str  # the contact's reference, CRN-YYMMDD-NNNNN
    grade: str  # immediate | prompt
    pathway: str  # the CAM pathway chosen, like dynamic_response
    category_code: str  # policy/incident_categories.yaml code, like crime.assault
    category_label: str
    narrative: str  # a plain-text summary
    location: Location
    received_at: datetime
    decided_at: datetime
    caller: Caller | None = None  # None: anonymous
    thrive: tuple[tuple[str, str], ...] = ()  # (dimension, level), in THRIVE order
    cues: tuple[str, ...] = ()  # the cues raised, as staff read them

    def __post_init__(self) -> None:
        if not self.reference.strip():
            raise ValueError("a contact reference is needed")
        if self.grade not in GRADES:
            raise ValueError(f"only {' and '.join(GRADES)} contacts go to command and control")
        for moment in (self.received_at, self.decided_at):
            if moment.tzinfo is None or moment.utcoffset() is None:
                raise ValueError("times must be timezone-aware")


def agency_id() -> str:
    """The sending agency's identifier (a domain name, as EIDO agencies use)."""
    return str(getattr(settings, "CAIRN_EIDO_AGENCY_ID", "") or DEFAULT_AGENCY_ID)


def force_name() -> str:
    return str(getattr(settings, "CAIRN_FORCE_NAME", "") or DEFAULT_FORCE_NAME)


def incident_type(category_code: str) -> str:
    return INCIDENT_TYPES.get(category_code, FALLBACK_INCIDENT_TYPE)


def build_eido(incident: IncidentFacts) -> dict:
    """The EIDO document handing ``incident`` to command and control."""
    agency = agency_id()
    ids = _Ids(incident.reference, agency)
    stamp = _timestamp(incident.decided_at)
    prologue = {"lastUpdateTimeStamp": stamp, "updatedByAgencyReference": {"$ref": agency}}

    notes = _notes(incident, ids)
    locations = _locations(incident, ids)
    caller = (
        incident.caller
        if incident.caller and (incident.caller.name.strip() or incident.caller.phone)
        else None
    )

    incident_component: dict = {
        "$id": ids.part("incident"),
        **prologue,
        "incidentTypeCommonRegistryText": incident_type(incident.category_code),
        "incidentTypeInternalCode": incident.category_code,
        "incidentTypeInternalText": incident.category_label.strip(),
        "incidentStatusInternalText": [incident.pathway],
        "internalIncidentId": incident.reference,
        "incidentPriorityInternalText": incident.grade,
        "incidentCommonPriorityNumber": COMMON_PRIORITY[incident.grade],
    }
    if incident.location.division_code.strip():
        incident_component["beatOrDispatchGroupText"] = incident.location.division_code.strip()
    if locations:
        incident_component["locationReference"] = [{"$ref": loc["$id"]} for loc in locations]
    if caller:
        incident_component["personReference"] = [{"$ref": ids.part("caller")}]
    if notes:
        incident_component["notesReference"] = [{"$ref": note["$id"]} for note in notes]

    call: dict = {
        "$id": ids.call,
        **prologue,
        "standardPrimaryCallType": CALL_TYPE,
        "direction": CALL_DIRECTION,
        "callStartTimestamp": _timestamp(incident.received_at),
        "callStateRegistryText": CALL_STATE,
    }
    if locations:
        call["locationReference"] = [{"$ref": loc["$id"]} for loc in locations]

    document: dict = {
        "$id": ids.document,
        **prologue,
        "eidoVersion": EIDO_VERSION,
        "issuingElementIdentification": ids.issuing_element,
        "incidentComponent": incident_component,
        "callComponent": [call],
        "agencyComponent": [
            {
                "$id": agency,
                **prologue,
                "agencyJcard": _jcard(force_name()),
                "agencyRoleDescriptionRegistryText": [AGENCY_ROLE],
                "agencyType": [AGENCY_TYPE],
                "incidentOwningAgencyIndicator": True,
            }
        ],
    }
    if caller:
        person: dict = {
            "$id": ids.part("caller"),
            **prologue,
            "personIncidentRoleRegistryText": [CALLER_ROLE],
            "callIdentifier": [ids.call],
        }
        if caller.name.strip():
            person["ncPersonComponent"] = {
                "name": [{"personFullName": [{"value": caller.name.strip()}]}]
            }
        call["personReference"] = [{"$ref": person["$id"]}]
        if caller.phone:
            callback = {
                "$id": ids.part("callback"),
                **prologue,
                "callBackInformationUri": [f"tel:{caller.phone}"],
            }
            person["callBackReference"] = call["callBackReference"] = {"$ref": callback["$id"]}
            document["callbackComponent"] = [callback]
        document["personComponent"] = [person]
    if locations:
        document["locationComponent"] = [{**loc, **prologue} for loc in locations]
    if notes:
        document["notesComponent"] = [{**note, **prologue} for note in notes]
    document["@context"] = CONTEXT
    return document


def to_json(document: dict) -> str:
    """The document as the bytes a connector posts: stable key order, UTF-8 text."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


class _Ids:
    """URN ids derived from the contact reference alone, so a retry repeats them."""

    def __init__(self, reference: str, agency: str) -> None:
        self.key = quote(reference.strip(), safe="-._~")
        self.agency = agency
        self.document = f"urn:emergency:uid:incidentid:{self.key}:{agency}"
        self.call = f"urn:emergency:uid:callid:{self.key}:{agency}"
        self.issuing_element = f"cairn.{agency}"

    def part(self, name: str) -> str:
        return f"urn:emergency:uid:cairn:{self.key}:{name}:{self.agency}"


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _jcard(name: str) -> str:
    """The agency's contact card (RFC 7095 jCard), its name only."""
    card = ["vcard", [["version", {}, "text", "4.0"], ["kind", {}, "text", "org"]]]
    card[1].append(["fn", {}, "text", name])
    return json.dumps(card, ensure_ascii=False, separators=(",", ":"))


def _notes(incident: IncidentFacts, ids: _Ids) -> list[dict]:
    """The narrative, the THRIVE levels and each cue, as HTML5 notes (escaped)."""
    notes = []
    narrative = incident.narrative.strip()
    if narrative:
        notes.append(("narrative", _html_lines(narrative.splitlines())))
    if incident.thrive:
        lines = [f"{dimension}: {level}" for dimension, level in incident.thrive]
        notes.append(("thrive", _html_lines(lines)))
    for number, cue in enumerate(incident.cues, start=1):
        if cue.strip():
            notes.append((f"cue-{number}", _html_lines([cue.strip()])))
    return [{"$id": ids.part(f"note-{name}"), "notesActionComments": text} for name, text in notes]


def _html_lines(lines: list[str]) -> str:
    return "<br>".join(html.escape(line.strip(), quote=False) for line in lines)


def _locations(incident: IncidentFacts, ids: _Ids) -> list[dict]:
    """A civic location (the address) and a geodetic one (the point), each a PIDF-LO."""
    place = incident.location
    entity = f"pres:{ids.key}@{ids.agency}"
    found = []
    if place.has_address:
        parts = [f"<country>{COUNTRY}</country>"]
        if place.address_text.strip():
            parts.append(f"<LOC>{_xml(' '.join(place.address_text.split()))}</LOC>")
        if place.postcode.strip():
            parts.append(f"<PC>{_xml(place.postcode.strip().upper())}</PC>")
        civic = (
            '<civicAddress xmlns="urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr">'
            + "".join(parts)
            + "</civicAddress>"
        )
        found.append(("location-civic", _pidf(entity, "civic", civic)))
    if place.has_point:
        position = f"<gml:pos>{_number(place.latitude)} {_number(place.longitude)}</gml:pos>"
        if place.accuracy_m is not None:
            shape = (
                f'<gs:Circle xmlns:gs="http://www.opengis.net/pidflo/1.0" srsName="{WGS84}">'
                f'{position}<gs:radius uom="{METRES}">{_number(place.accuracy_m)}</gs:radius>'
                "</gs:Circle>"
            )
        else:
            shape = f'<gml:Point srsName="{WGS84}">{position}</gml:Point>'
        found.append(("location-point", _pidf(entity, "point", shape)))
    return [
        {
            "$id": ids.part(name),
            "locationTypeDescriptionRegistryText": LOCATION_TYPE,
            "locationByValue": pidf,
        }
        for name, pidf in found
    ]


def _pidf(entity: str, tuple_id: str, location: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<presence xmlns="urn:ietf:params:xml:ns:pidf"'
        ' xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10"'
        ' xmlns:gml="http://www.opengis.net/gml"'
        f' entity="{_xml(entity)}">'
        f'<tuple id="{tuple_id}"><status><gp:geopriv>'
        f"<gp:location-info>{location}</gp:location-info>"
        "<gp:usage-rules/>"
        "</gp:geopriv></status></tuple></presence>"
    )


def _xml(text: str) -> str:
    return html.escape(text, quote=True)


def _number(value: float) -> str:
    """A coordinate or distance as plain decimal text: shortest exact form, no exponent."""
    return format(Decimal(repr(float(value))), "f")
