"""POST /api/inbound/<channel>/: a provider's webhook. Thin: read, call the service, answer.

Answers: 201 {"reference"} for a new contact, 200 {"reference"} for a retry
of a delivery already received, and the API's structured error otherwise
(400 unreadable, 401 unsigned, 404 no such channel, 405 not POST, 413 too
large, 415 wrong content type, 422 invalid).
"""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from cairn.contacts.channels.receive import MAX_BODY_BYTES, MESSAGES, Outcome, receive_inbound

STATUS = {
    Outcome.CREATED: 201,
    Outcome.DUPLICATE: 200,
    Outcome.MALFORMED: 400,
    Outcome.UNAUTHORISED: 401,
    Outcome.UNKNOWN_CHANNEL: 404,
    Outcome.TOO_LARGE: 413,
    Outcome.UNSUPPORTED_MEDIA_TYPE: 415,
    Outcome.INVALID: 422,
}
ERROR_CODES = {
    Outcome.MALFORMED: "malformed",
    Outcome.UNAUTHORISED: "unauthorised",
    Outcome.UNKNOWN_CHANNEL: "not_found",
    Outcome.TOO_LARGE: "payload_too_large",
    Outcome.UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
    Outcome.INVALID: "validation_error",
}


def _error(status: int, code: str, message: str, details=()) -> JsonResponse:
    body = {
        "error": code,
        "message": message,
        "details": [{"field": field, "message": text} for field, text in details],
    }
    return JsonResponse(body, status=status)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@csrf_exempt
def receive(request: HttpRequest, channel: str) -> JsonResponse:
    if request.method != "POST":
        response = _error(405, "method_not_allowed", "Deliver messages with POST.")
        response["Allow"] = "POST"
        return response
    if _declared_length(request) > MAX_BODY_BYTES:
        return _error(413, ERROR_CODES[Outcome.TOO_LARGE], MESSAGES[Outcome.TOO_LARGE])
    result = receive_inbound(
        channel=channel,
        source=None,
        raw=request.read(MAX_BODY_BYTES + 1),
        content_type=request.META.get("CONTENT_TYPE", ""),
        signature_headers=request.headers,
    )
    if result.accepted:
        return JsonResponse({"reference": result.reference}, status=STATUS[result.outcome])
    return _error(
        STATUS[result.outcome], ERROR_CODES[result.outcome], result.message, result.details
    )
