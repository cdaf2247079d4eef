"""The EIDO document Cairn hands to command and control, checked against the published schema.

The schema is NENA's own (../shared/standards/eido/Schema): the OpenAPI 3.0 file and
the NIEM component files it points into with ``$ref``, loaded as they are into a
``referencing`` registry. OpenAPI 3.0 schema objects are JSON Schema draft 4 in
all that matters here (boolean exclusive bounds, ``$ref`` siblings ignored).
"""

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from functools import cache
from html import unescape
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from cairn.dispatch.eido import (
    INCIDENT_TYPES,
    Caller,
    IncidentFacts,
    Location,
    build_eido,
    incident_type,
    to_json,
)

EIDO = Path(__file__).resolve().parents[3] / "shared" / "standards" / "eido"
OPENAPI = EIDO / "Schema" / "openapi.yaml"
SAMPLE = EIDO / "Samples" / "Sample call transfer EIDO.json"
CATEGORIES = Path(__file__).resolve().parents[2] / "policy" / "incident_categories.yaml"
DOCUMENT_TYPE = "#/components/schemas/EmergencyIncidentDataObjectType"


@cache
def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _retrieve(uri: str) -> Resource:
    # "NIEMComponents//j.yaml" occurs in the schema: normalise the path.
    path = Path(uri.removeprefix("file://")).resolve()
    return Resource.from_contents(_yaml(path), default_specification=DRAFT4)


@cache
def eido_validator() -> Draft4Validator:
    """A validator for the whole EIDO document type, every $ref resolved from the files."""
    registry = Registry(retrieve=_retrieve)
    root = {"$ref": OPENAPI.resolve().as_uri() + DOCUMENT_TYPE}
    return Draft4Validator(root, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER)


def schema_errors(document: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in eido_validator().iter_errors(document)
    ]


def declared_property_names() -> set[str]:
    """Every property name the EIDO and NIEM files declare (to catch a misspelt key)."""
    names: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict):
                names.update(node["properties"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in [OPENAPI, *sorted((EIDO / "Schema" / "NIEMComponents").glob("*.yaml"))]:
        walk(_yaml(path))
    return names


def parse_xml(text: str) -> ET.Element:
    """Parse a PIDF-LO this test made itself (not untrusted input)."""
    return ET.fromstring(text)  # noqa: S314


def keys_of(node) -> set[str]:
    if isinstance(node, dict):
        return set(node).union(*(keys_of(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(keys_of(value) for value in node))
    return set()


RECEIVED = datetime(2026, 3, 14, 21, 5, 12, tzinfo=UTC)


def facts(**changes) -> IncidentFacts:
    values = {
        "reference": "CRN-260314-00042",
        "grade": "immediate",
        "pathway": "dynamic_response",
        "category_code": "crime.assault",
        "category_label": "Assault",
        "narrative": "  Two men fighting outside the chip shop.\nOne has a bottle.  \n",
        "location": Location(
            address_text="12 Leith Walk, Edinburgh",
            postcode="eh6 8rg",
            latitude=55.9644,
            longitude=-3.1766,
            accuracy_m=25.0,
            division_code="E",
        ),
        "caller": Caller(name="Morag Fraser", phone="+441315550123"),
        "received_at": RECEIVED,
        "decided_at": RECEIVED + timedelta(minutes=3, seconds=9),
        "thrive": (("threat", "high"), ("harm", "high"), ("risk", "medium")),
        "cues": ("Weapon mentioned",),
    }
    values.update(changes)
    return IncidentFacts(**values)


def component_ids(document: dict) -> list[str]:
    found = []
    for key, value in document.items():
        if key.endswith("Component") and isinstance(value, list):
            found += [item["$id"] for item in value]
    found.append(document["incidentComponent"]["$id"])
    return found


def references(node) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if set(node) == {"$ref"} else []
        return own + [ref for value in node.values() for ref in references(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in references(value)]
    return []


# The loader --------------------------------------------------------------------------


def test_the_published_sample_validates_with_this_loader():
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
    assert schema_errors(sample) == []


def test_the_loader_finds_real_faults():
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
    del sample["agencyComponent"]
    sample["eidoVersion"] = "2.0"
    sample["callComponent"][0]["direction"] = "sideways"
    errors = "\n".join(schema_errors(sample))
    assert "'agencyComponent' is a required property" in errors
    assert "'2.0' is not one of ['1.0']" in errors
    assert "callComponent/0/direction" in errors


def test_the_loader_follows_refs_into_the_niem_components():
    document = build_eido(facts())
    document["personComponent"][0]["ncPersonComponent"]["name"][0]["personFullName"] = [
        {"value": 42}
    ]
    assert any("42 is not of type 'string'" in error for error in schema_errors(document))


# The document ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        {},
        {"caller": None},
        {"location": Location(latitude=57.1497, longitude=-2.0943, accuracy_m=8)},
        {"location": Location(address_text="The Kirk, Main Street, Ullapool", postcode="IV26 2UR")},
        {"grade": "prompt", "pathway": "deploy_asap", "thrive": (), "cues": (), "narrative": ""},
    ],
    ids=["full", "anonymous", "coordinates-only", "address-only", "prompt-bare"],
)
def test_the_document_validates_against_the_published_schema(case):
    document = build_eido(facts(**case))
    assert schema_errors(document) == []
    assert keys_of(document) - {"$id", "$ref", "@context", "@vocab"} <= declared_property_names()
    ids = component_ids(document)
    assert len(ids) == len(set(ids)), "every component id is unique"
    known = set(ids) | {document["agencyComponent"][0]["$id"]}
    assert set(references(document)) <= known, "every reference points into the document"


def test_a_full_incident_carries_the_facts():
    document = build_eido(facts())
    incident = document["incidentComponent"]
    assert incident["incidentTypeCommonRegistryText"] == "ASSAULT"
    assert incident["incidentTypeInternalCode"] == "crime.assault"
    assert incident["incidentTypeInternalText"] == "Assault"
    assert incident["incidentPriorityInternalText"] == "immediate"
    assert incident["incidentCommonPriorityNumber"] == 10
    assert incident["incidentStatusInternalText"] == ["dynamic_response"]
    assert incident["internalIncidentId"] == "CRN-260314-00042"
    assert incident["beatOrDispatchGroupText"] == "E"
    assert document["$id"] == "urn:emergency:uid:incidentid:CRN-260314-00042:scotland.police.uk"
    assert document["lastUpdateTimeStamp"] == "2026-03-14T21:08:21+00:00"
    call = document["callComponent"][0]
    assert call["callStartTimestamp"] == "2026-03-14T21:05:12+00:00"

    (person,) = document["personComponent"]
    assert person["personIncidentRoleRegistryText"] == ["Caller"]
    assert person["ncPersonComponent"]["name"][0]["personFullName"] == [{"value": "Morag Fraser"}]
    assert person["callIdentifier"] == [call["$id"]]
    (callback,) = document["callbackComponent"]
    assert callback["callBackInformationUri"] == ["tel:+441315550123"]
    assert person["callBackReference"] == {"$ref": callback["$id"]}

    notes = [note["notesActionComments"] for note in document["notesComponent"]]
    assert notes == [
        "Two men fighting outside the chip shop.<br>One has a bottle.",
        "threat: high<br>harm: high<br>risk: medium",
        "Weapon mentioned",
    ]

    civic, point = (parse_xml(loc["locationByValue"]) for loc in document["locationComponent"])
    assert [
        loc["locationTypeDescriptionRegistryText"] for loc in document["locationComponent"]
    ] == [
        "Incident",
        "Incident",
    ]
    civic_ns = "{urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr}"
    assert civic.find(f".//{civic_ns}LOC").text == "12 Leith Walk, Edinburgh"
    assert civic.find(f".//{civic_ns}PC").text == "EH6 8RG"
    assert point.find(".//{http://www.opengis.net/gml}pos").text == "55.9644 -3.1766"
    assert point.find(".//{http://www.opengis.net/pidflo/1.0}radius").text == "25.0"


def test_an_anonymous_caller_leaves_no_person_and_no_callback():
    document = build_eido(facts(caller=None))
    assert "personComponent" not in document
    assert "callbackComponent" not in document
    assert "personReference" not in document["incidentComponent"]
    assert "personReference" not in document["callComponent"][0]
    text = to_json(document)
    assert "Morag" not in text and "+4413" not in text


def test_a_caller_without_a_phone_has_no_callback():
    document = build_eido(facts(caller=Caller(name="Morag Fraser")))
    assert "callbackComponent" not in document
    assert "callBackReference" not in document["personComponent"][0]
    assert schema_errors(document) == []


def test_coordinates_only_send_a_point_and_no_address():
    document = build_eido(
        facts(location=Location(latitude=57.1497, longitude=-2.0943, accuracy_m=8))
    )
    (only,) = document["locationComponent"]
    assert only["$id"].endswith(":location-point:scotland.police.uk")
    assert "civicAddress" not in only["locationByValue"]
    assert "beatOrDispatchGroupText" not in document["incidentComponent"]


def test_a_point_without_accuracy_is_a_point_not_a_circle():
    document = build_eido(facts(location=Location(latitude=57.1497, longitude=-2.0943)))
    pidf = parse_xml(document["locationComponent"][0]["locationByValue"])
    assert pidf.find(".//{http://www.opengis.net/gml}Point") is not None
    assert pidf.find(".//{http://www.opengis.net/pidflo/1.0}Circle") is None


def test_an_address_only_sends_the_address_and_no_point():
    document = build_eido(facts(location=Location(address_text="The Kirk, Ullapool")))
    (only,) = document["locationComponent"]
    assert only["$id"].endswith(":location-civic:scotland.police.uk")
    assert "gml:pos" not in only["locationByValue"]
    assert "<PC>" not in only["locationByValue"]


def test_no_location_at_all_still_validates():
    document = build_eido(facts(location=Location()))
    assert "locationComponent" not in document
    assert "locationReference" not in document["incidentComponent"]
    assert schema_errors(document) == []


def test_text_with_markup_is_escaped_not_interpreted():
    hostile = 'He said <script>alert("x")</script> & ran'
    document = build_eido(
        facts(narrative=hostile, location=Location(address_text="Flat 1 <b>&</b> 2"))
    )
    note = document["notesComponent"][0]["notesActionComments"]
    assert "<script>" not in note
    assert unescape(note) == hostile
    pidf = parse_xml(document["locationComponent"][0]["locationByValue"])
    assert pidf.find(".//{urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr}LOC").text == (
        "Flat 1 <b>&</b> 2"
    )


# Retries and restraint ---------------------------------------------------------------


def test_the_same_facts_give_byte_identical_json():
    first = to_json(build_eido(facts())).encode()
    again = to_json(build_eido(facts())).encode()
    assert first == again
    mine, other = (
        {*component_ids(build_eido(facts(reference=ref))), build_eido(facts(reference=ref))["$id"]}
        - {"scotland.police.uk"}  # the agency is the same agency
        for ref in ("CRN-260314-00042", "CRN-260314-00043")
    )
    assert len(mine) == 10  # document, incident, call, caller, callback, 2 places, 3 notes
    assert mine.isdisjoint(other)


def test_the_agency_comes_from_settings(settings):
    settings.CAIRN_EIDO_AGENCY_ID = "test.police.example"
    settings.CAIRN_FORCE_NAME = "Test Constabulary"
    document = build_eido(facts())
    (agency,) = document["agencyComponent"]
    assert agency["$id"] == "test.police.example"
    assert json.loads(agency["agencyJcard"])[1][-1] == ["fn", {}, "text", "Test Constabulary"]
    assert document["updatedByAgencyReference"] == {"$ref": "test.police.example"}
    assert document["$id"].endswith(":test.police.example")
    assert schema_errors(document) == []


# Words the document may carry besides the facts: ids' and formats' fixed parts, and
# values of the registries the fields require (see docs/eido.md).
FIXED_WORDS = {
    *["urn", "emergency", "uid", "incidentid", "callid", "cairn", "incident", "caller"],
    *["callback", "note", "narrative", "thrive", "cue", "location", "civic", "point", "pres"],
    *["ogc", "def", "crs", "EPSG", "4326", "uom", "9001"],
    *["Incident", "Caller", "CallReceiving", "police", "incoming", "callAnswered", "tel", "GB"],
    *["version", "kind", "org", "fn", "text", "4", "0", "vcard"],
}


def words(text: str) -> set[str]:
    return set(re.findall(r"[^\W_]+", text))


def strings_in(node) -> list[str]:
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings_in(value)]
    if isinstance(node, list | tuple):
        return [s for value in node for s in strings_in(value)]
    return [node] if isinstance(node, str) else []


def readable_text(value: str) -> str:
    """A string's words as a reader would see them: XML text and attributes, jCard, HTML."""
    if value.startswith("<?xml"):
        root = parse_xml(value)
        return " ".join([*root.itertext(), *(v for el in root.iter() for v in el.attrib.values())])
    if value.startswith('["vcard"'):
        return " ".join(strings_in(json.loads(value)))
    return unescape(value.replace("<br>", " "))


def test_the_document_carries_no_words_beyond_the_facts(settings):
    settings.CAIRN_FORCE_NAME = "Police Scotland"
    given = facts()
    document = build_eido(given)
    allowed = FIXED_WORDS | words("Police Scotland scotland.police.uk")
    for value in strings_in(
        [
            given.reference,
            given.grade,
            given.pathway,
            given.category_code,
            given.category_label,
            given.narrative,
            list(given.location.__dict__.values()),
            list(given.caller.__dict__.values()),
            list(given.thrive),
            list(given.cues),
        ]
    ):
        allowed |= words(value) | words(value.upper())
    allowed |= words(f"{given.location.latitude} {given.location.longitude} 25.0 E 10")
    allowed |= words(given.received_at.isoformat() + given.decided_at.isoformat())
    allowed.add(incident_type(given.category_code))
    allowed.add("1")  # eidoVersion "1.0"
    allowed.add("EmergencyIncidentDataObjectType")  # the JSON-LD context path
    allowed.update({"JSON", "LD_Contexts", "LD", "Contexts", "jsonld"})
    allowed.update(words("21:05:12+00:00 21:08:21+00:00 2026-03-14T"))

    found = set().union(*(words(readable_text(value)) for value in strings_in(document)))
    assert found - allowed == set()


def test_every_category_of_the_policy_has_an_incident_type_of_the_schema():
    categories = set(yaml.safe_load(CATEGORIES.read_text(encoding="utf-8"))["categories"])
    apco = _yaml(EIDO / "Schema" / "NIEMComponents" / "apco.yaml")
    known = set(apco["components"]["schemas"]["apcoIncidentCategoryCodeSimpleType"]["enum"])
    assert categories <= set(INCIDENT_TYPES), "map a new category in cairn/dispatch/eido.py"
    assert set(INCIDENT_TYPES.values()) <= known
    assert incident_type("something.new") in known


# Facts that cannot be sent -----------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"grade": "standard"}, "only immediate and prompt"),
        ({"received_at": datetime(2026, 3, 14, 21, 5)}, "timezone-aware"),
        ({"reference": "  "}, "reference"),
    ],
)
def test_facts_that_cannot_be_sent_are_refused(change, problem):
    with pytest.raises(ValueError, match=problem):
        facts(**change)


def test_a_caller_phone_must_be_e164():
    with pytest.raises(ValueError, match=r"E\.164"):
        Caller(name="Morag", phone="0131 555 0123")


def test_coordinates_come_in_pairs_and_in_range():
    with pytest.raises(ValueError, match="together"):
        Location(latitude=55.9)
    with pytest.raises(ValueError, match="range"):
        Location(latitude=95, longitude=0)
