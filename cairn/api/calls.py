"""The call-event API: a telephony system reports offered/answered/…/ended calls."""

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Field, Router, Schema, Status
from pydantic import AwareDatetime, field_validator

from cairn.api.auth import ApiKey
from cairn.api.errors import ERROR_RESPONSES, ApiProblem, ErrorResponse
from cairn.api.no_nul import NoNul
from cairn.contacts.call_services import (
    CallEventReport,
    EventIdReused,
    ImpossibleCallSequence,
    record_call_event,
)
from cairn.contacts.models import Call, CallEventKind, Line

router = Router(tags=["calls"], auth=ApiKey())

Kind = Literal[tuple(CallEventKind.values)]  # type: ignore[valid-type]
LineNumber = Literal[tuple(Line.values)]  # type: ignore[valid-type]


class CallEventIn(NoNul):
    event_id: str = Field(
        ..., min_length=1, max_length=100, description="Your id for this event: a retry reuses it"
    )
    call_id: str = Field(..., min_length=1, max_length=100, description="Your id for the call")
    kind: Kind
    line: LineNumber
    queue: str = Field("", max_length=100, description="The queue the call is in, or moved to")
    occurred_at: AwareDatetime = Field(..., description="When it happened, with a time zone")
    caller_number: str | None = Field(
        None, max_length=40, description="The caller's number; leave out when withheld"
    )
    agent_ref: str | None = Field(None, max_length=100, description="Your id for the agent")

    @field_validator("line", mode="before")
    @classmethod
    def line_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class CallOut(Schema):
    call_id: str
    line: str
    queue: str
    offered_at: datetime | None
    answered_at: datetime | None
    transferred_at: datetime | None
    ended_at: datetime | None
    abandoned: bool
    seconds_to_answer: float | None = Field(
        None, description="From offered to answered, once both are known"
    )


class CallEventAccepted(Schema):
    event_id: str
    kind: str
    duplicate: bool = Field(description="True when this event id had been received before")
    call: CallOut


def _call_out(call: Call) -> CallOut:
    seconds = None
    if call.offered_at and call.answered_at:
        seconds = (call.answered_at - call.offered_at).total_seconds()
    return CallOut(
        call_id=call.external_id or "",
        line=call.line,
        queue=call.queue,
        offered_at=call.offered_at,
        answered_at=call.answered_at,
        transferred_at=call.transferred_at,
        ended_at=call.ended_at,
        abandoned=call.abandoned,
        seconds_to_answer=seconds,
    )


@router.post(
    "/events",
    response={
        201: CallEventAccepted,
        200: CallEventAccepted,
        **ERROR_RESPONSES,
        409: ErrorResponse,
    },
    summary="Report a call event",
    description="Report one event in a 999 or 101 call: `offered` (it joined a queue), "
    "`answered`, `transferred`, `abandoned` (the caller hung up before an answer) or "
    "`ended`. Events may arrive in any order. A new event answers 201; an `event_id` sent "
    "before answers 200 with `duplicate: true` and changes nothing. An event the call's "
    "other events rule out (answered before it was offered, anything after it ended) is "
    "refused with 409 `impossible_sequence`; an `event_id` reused for a different event "
    "with 409 `event_id_reused`.",
)
def report_call_event(request, payload: CallEventIn):
    report = CallEventReport(
        event_id=payload.event_id,
        call_id=payload.call_id,
        kind=payload.kind,
        line=payload.line,
        occurred_at=payload.occurred_at,
        queue=payload.queue,
        caller_number=payload.caller_number or "",
        agent_ref=payload.agent_ref or "",
        raw=payload.model_dump(mode="json"),
    )
    try:
        receipt = record_call_event(report)
    except DjangoValidationError as error:
        raise ApiProblem(
            422,
            "validation_error",
            "The call event is not valid.",
            [
                {"field": name, "message": " ".join(messages)}
                for name, messages in error.message_dict.items()
            ],
        ) from error
    except ImpossibleCallSequence as error:
        raise ApiProblem(
            409,
            "impossible_sequence",
            error.message,
            [{"field": error.field, "message": error.message}],
        ) from error
    except EventIdReused as error:
        raise ApiProblem(
            409, "event_id_reused", str(error), [{"field": "event_id", "message": str(error)}]
        ) from error
    body = CallEventAccepted(
        event_id=receipt.event.event_id,
        kind=receipt.event.kind,
        duplicate=not receipt.created,
        call=_call_out(receipt.event.call),
    )
    return Status(201 if receipt.created else 200, body)
