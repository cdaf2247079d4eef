"""Open311 GeoReport v2: our documents validate against the published JSON Schemas."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from cairn.accounts.api_keys import issue_api_key
from cairn.api.open311.services import attribute_questions
from cairn.audit.context import acting_as
from cairn.contacts.models import Channel, Contact
from cairn.contacts.report_forms import load_forms

# The published schemas live in the team's shared folder beside the repository.
SCHEMAS = Path(__file__).resolve().parents[3] / "shared" / "standards" / "open311-georeport-v2"


def schema_validator(name: str) -> Draft7Validator:
    assert (SCHEMAS / name).exists(), f"the published Open311 schemas are expected in {SCHEMAS}"
    documents = {path.name: json.loads(path.read_text()) for path in SCHEMAS.glob("*.json")}
    registry = Registry().with_resources(
        (file_name, Resource.from_contents(body, default_specification=DRAFT7))
        for file_name, body in documents.items()
    )
    return Draft7Validator(documents[name], registry=registry)


def assert_valid(document, schema_name: str) -> None:
    errors = sorted(schema_validator(schema_name).iter_errors(document), key=str)
    assert not errors, "\n".join(error.message for error in errors[:10])


@pytest.fixture
def key(db):
    with acting_as("command"):
        return issue_api_key("FixMyStreet")[1]


def a_report(key: str, form_slug: str = "theft", **extra) -> dict:
    form = load_forms()[form_slug]
    attributes = {}
    for question in attribute_questions(form):
        if not question.required:
            continue
        if question.options:
            attributes[f"attribute[{question.id}]"] = question.options[0].value
        elif question.type == "yesno":
            attributes[f"attribute[{question.id}]"] = "no"
        elif question.type == "date":
            attributes[f"attribute[{question.id}]"] = "2026-11-20"
        else:
            attributes[f"attribute[{question.id}]"] = "A bike, red, frame number 123"
    return {
        "api_key": key,
        "service_code": form_slug,
        "lat": "55.9533",
        "long": "-3.1883",
        "description": "Bike stolen from outside the library",
        "email": "pat@example.org",
        "first_name": "Pat",
        "last_name": "Lee",
        **attributes,
        **extra,
    }


def test_services_list_every_report_form_and_validates(client, db):
    response = client.get("/open311/v2/services.json")
    assert response.status_code == 200
    services = response.json()
    assert {service["service_code"] for service in services} == set(load_forms())
    assert_valid(services, "services.json")


@pytest.mark.parametrize("slug", sorted(load_forms()))
def test_each_service_definition_validates(client, db, slug):
    response = client.get(f"/open311/v2/services/{slug}.json")
    assert response.status_code == 200
    assert_valid(response.json(), "service-definition.json")


def test_a_request_becomes_a_contact_through_the_same_intake(client, key):
    response = client.post("/open311/v2/requests.json", a_report(key))
    assert response.status_code == 201, response.content
    [created] = response.json()
    contact = Contact.objects.get(reference=created["service_request_id"])
    assert contact.channel == Channel.PARTNER_APP
    assert contact.category == "crime.theft"
    assert contact.reporter_name == "Pat Lee"
    assert contact.latitude == pytest.approx(55.9533)


def test_requests_validate_and_show_no_personal_details(client, key):
    client.post("/open311/v2/requests.json", a_report(key))
    response = client.get("/open311/v2/requests.json", {"api_key": key})
    requests = response.json()
    assert len(requests) == 1
    assert_valid(requests, "requests.json")
    text = json.dumps(requests)
    assert "Pat" not in text and "library" not in text and "55.95" not in text


def test_a_client_cannot_see_another_clients_requests(client, key):
    created = client.post("/open311/v2/requests.json", a_report(key)).json()[0]
    with acting_as("command"):
        other = issue_api_key("Another app")[1]
    response = client.get(
        f"/open311/v2/requests/{created['service_request_id']}.json", {"api_key": other}
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"service_code": "parking"}, "service_code"),
        ({"lat": "", "long": ""}, "location"),
        ({"lat": "north"}, "lat must be a number"),
        ({"description": ""}, "description is required"),
    ],
)
def test_bad_requests_get_open311_errors_and_save_nothing(client, key, change, message):
    response = client.post("/open311/v2/requests.json", {**a_report(key), **change})
    assert response.status_code == 400
    [error] = response.json()[:1]
    assert error["code"] == 400
    assert message in error["description"]
    assert not Contact.objects.exists()


def test_without_an_api_key_requests_are_refused(client, db):
    response = client.post("/open311/v2/requests.json", {"service_code": "theft"})
    assert response.status_code == 403
    assert response.json()[0]["code"] == 403


def test_xml_is_declined_clearly(client, db):
    response = client.get("/open311/v2/services.xml")
    assert response.status_code == 400
    assert "JSON" in response.json()[0]["description"]


def test_the_schema_check_itself_rejects_broken_documents():
    # Guards the guard: the $refs must resolve, or every document above would "pass".
    broken_services = [{"service_code": "x", "metadata": "yes", "type": "sometimes"}]
    broken_requests = [{"status": "pending"}]
    assert list(schema_validator("services.json").iter_errors(broken_services))
    assert len(list(schema_validator("requests.json").iter_errors(broken_requests))) >= 3
