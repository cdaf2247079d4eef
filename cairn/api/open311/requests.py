"""Open311 service requests in and out, through the same intake as every channel."""

from dataclasses import replace
from typing import Any

from django.http import QueryDict

from cairn.api.open311.services import LANGUAGE, attribute_questions
from cairn.contacts.models import Channel, Contact, Status
from cairn.contacts.queries import STATUS_WORDS
from cairn.contacts.report_forms import load_forms, to_submission, validate_answer
from cairn.contacts.services import receive_contact


class RequestRejected(Exception):
    def __init__(self, *descriptions: str):
        super().__init__("; ".join(descriptions))
        self.descriptions = descriptions


def _float(data: QueryDict, name: str) -> float | None:
    raw = data.get(name, "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError as error:
        raise RequestRejected(f"{name} must be a number") from error


def _answers(form, data: QueryDict) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    problems = []
    for question in attribute_questions(form):
        raw = (
            data.getlist(f"attribute[{question.id}]")
            if question.type == "checkboxes"
            else (data.get(f"attribute[{question.id}]", ""))
        )
        if raw in ("", []) and not question.required:
            continue
        value, error = validate_answer(question, raw, LANGUAGE)
        if error:
            problems.append(f"attribute[{question.id}]: {error}")
        else:
            answers[question.id] = value
    if problems:
        raise RequestRejected(*problems)
    return answers


def open311_request(client, data: QueryDict) -> str:
    """Create a contact from an Open311 POST; return its reference."""
    form = load_forms().get(data.get("service_code", ""))
    if form is None:
        raise RequestRejected("service_code is missing or unknown")
    latitude, longitude = _float(data, "lat"), _float(data, "long")
    address = data.get("address_string", "").strip()
    if (latitude is None or longitude is None) and not address:
        raise RequestRejected("Give a location: lat and long, or address_string")
    description = data.get("description", "").strip()
    if not description:
        raise RequestRejected("description is required")
    name = " ".join(
        part
        for part in (data.get("first_name", "").strip(), data.get("last_name", "").strip())
        if part
    )
    submission = replace(
        to_submission(form, _answers(form, data), LANGUAGE),
        channel=Channel.PARTNER_APP,
        narrative=description,
        address_text=address,
        latitude=latitude,
        longitude=longitude,
        reporter_name=name,
        reporter_email=data.get("email", "").strip(),
        reporter_phone=data.get("phone", "").strip(),
        anonymous=False,
        source=f"open311:{client.pk}",
    )
    return receive_contact(submission).contact.reference


def _as_request(contact: Contact) -> dict[str, Any]:
    form = load_forms().get(contact.answers.get("_form", {}).get("slug", ""))
    headline, _next = STATUS_WORDS[Status(contact.status)]
    return {
        "service_request_id": contact.reference,
        "status": "closed" if contact.status == Status.CLOSED else "open",
        "status_notes": str(headline),
        "service_name": form.title(LANGUAGE) if form else None,
        "service_code": form.slug if form else contact.category,
        "description": None,  # what people told us stays with us
        "agency_responsible": None,
        "service_notice": None,
        "requested_datetime": contact.received_at.isoformat(),
        "updated_datetime": None,
        "expected_datetime": None,
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def requests_for_client(
    client, *, ids: list[str], status: str = "", service_code: str = ""
) -> list[dict[str, Any]]:
    """Requests this client sent (never anyone else's), newest first, at most 1,000."""
    contacts = Contact.objects.filter(source=f"open311:{client.pk}")
    if ids:
        contacts = contacts.filter(reference__in=ids[:200])
    if status == "closed":
        contacts = contacts.filter(status=Status.CLOSED)
    elif status == "open":
        contacts = contacts.exclude(status=Status.CLOSED)
    if service_code:
        contacts = contacts.filter(answers___form__slug=service_code)
    return [_as_request(contact) for contact in contacts.order_by("-received_at")[:1000]]
