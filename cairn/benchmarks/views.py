"""The two endpoints ``bench/`` drives. Mounted only when ``CAIRN_BENCH=1``.

``reference`` is the floor: parse the body, one raw-SQL INSERT, answer. It is
the cheapest useful request this server can serve, so ``intake`` throughput
divided by ``reference`` throughput says what the intake path itself costs,
independent of how fast or busy the machine is.

``intake`` has the shape the real intake will have: validate, then in one
transaction create the row, append the domain event and write the audit event.
"""

import functools
import json
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.benchmarks.models import IntakeProbe
from cairn.contacts.intake_statement import insert_together
from cairn.contacts.services import ContactSubmission, contact_rows
from cairn.events.services import record_event

INTAKE_FIELDS = ("channel", "narrative", "postcode")

# Outward code, a space (optional), inward code: shape only, not existence.
UK_POSTCODE = RegexValidator(
    r"^[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}$", "Enter a UK postcode."
)

# The table of ReferenceRow (a literal: the query is fixed text, never built).
REFERENCE_INSERT = (
    "INSERT INTO benchmarks_referencerow (received_at, channel, narrative, postcode)"
    " VALUES (now(), %s, %s, %s) RETURNING id"
)


class IntakeProbeForm(forms.Form):
    channel = forms.ChoiceField(
        choices=[("web", "Web"), ("phone", "Phone"), ("email", "Email"), ("counter", "Counter")]
    )
    narrative = forms.CharField(max_length=5000)
    postcode = forms.CharField(max_length=8, validators=[UK_POSTCODE])

    def clean_postcode(self) -> str:
        compact = self.cleaned_data["postcode"].replace(" ", "").upper()
        return f"{compact[:-3]} {compact[-3:]}"


def _json_object(request: HttpRequest) -> dict[str, Any] | None:
    try:
        body = json.loads(request.body)
    except ValueError:  # also UnicodeDecodeError
        return None
    return body if isinstance(body, dict) else None


def _bad_request(errors: dict[str, list[str]]) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=400)


@csrf_exempt
@require_POST
def reference(request: HttpRequest) -> JsonResponse:
    body = _json_object(request)
    if body is None:
        return _bad_request({"__all__": ["Send a JSON object."]})
    with connection.cursor() as cursor:
        cursor.execute(
            REFERENCE_INSERT,
            [str(body.get(name, "")) for name in INTAKE_FIELDS],
        )
        (row_id,) = cursor.fetchone()
    return JsonResponse({"id": row_id}, status=201)


@csrf_exempt
@require_POST
def intake(request: HttpRequest) -> JsonResponse:
    body = _json_object(request)
    if body is None:
        return _bad_request({"__all__": ["Send a JSON object."]})
    # A form would quietly turn a number or a list into its string; refuse them.
    wrong_type = [name for name in INTAKE_FIELDS if not isinstance(body.get(name, ""), str)]
    if wrong_type:
        return _bad_request({name: ["Must be a string."] for name in wrong_type})
    form = IntakeProbeForm(data={name: body.get(name, "") for name in INTAKE_FIELDS})
    if not form.is_valid():
        return _bad_request({name: list(messages) for name, messages in form.errors.items()})
    data = form.cleaned_data
    with transaction.atomic():
        probe = IntakeProbe.objects.create(**data)
        record_event(
            "bench.intake_probe.received",
            subject_type="benchmarks.intakeprobe",
            subject_id=probe.pk,
            occurred_at=probe.received_at,
            channel=data["channel"],
            data={"narrative_length": len(data["narrative"])},
        )
        record(
            Operation.COLLECTION,
            object_type="benchmarks.intakeprobe",
            object_id=probe.pk,
            fields=INTAKE_FIELDS,
            purpose="benchmark",
        )
    return JsonResponse({"id": probe.pk}, status=201)


@csrf_exempt
@require_POST
def intake_floor(request: HttpRequest) -> JsonResponse:
    """The write the API must make, and nothing else: the floor of ``POST /api/v1/contacts``.

    Parses the body as ``reference`` does, then sends the API's own statement
    (contact, audit event and domain event: ``insert_together``) with the
    rows the API would write for this body, worked out once per process. No key check, no
    schema, no validation, no secret: however lean the API's Python became,
    it could not be faster than this, so the ratio of this endpoint to the
    reference bounds what any work on the API's code can reach.
    """
    if _json_object(request) is None:
        return _bad_request({"__all__": ["Send a JSON object."]})
    contact, audit, event = _floor_rows(request.body)
    written = insert_together(dict(contact), dict(audit), dict(event))
    return JsonResponse({"id": written[0]}, status=201)


@functools.lru_cache(maxsize=4)
def _floor_rows(body: bytes) -> tuple[dict, dict, dict]:
    """The rows the API would write for this body (worked out once per body)."""
    data = json.loads(body)
    reporter, location = data.get("reporter", {}), data.get("location", {})
    submission = ContactSubmission(
        channel=data.get("channel", "partner_app"),
        narrative=data.get("narrative", ""),
        category=data.get("category", ""),
        reporter_name=reporter.get("name", ""),
        reporter_email=reporter.get("email", ""),
        reporter_phone=reporter.get("phone", ""),
        address_text=location.get("address", ""),
        postcode=location.get("postcode", ""),
        source="bench:floor",
    )
    contact, audit, event, _secret = contact_rows(submission)
    return contact, audit, event
