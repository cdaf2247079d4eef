"""Open311 GeoReport v2 endpoints, so FixMyStreet and similar tools can send non-emergency
reports. JSON only. Requests are private: a client sees only the requests it sent."""

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from cairn.accounts.api_keys import client_for_key
from cairn.api.open311.requests import RequestRejected, open311_request, requests_for_client
from cairn.api.open311.services import service_definition, service_list
from cairn.contacts.report_forms import load_forms


def _errors(status: int, *descriptions: str) -> JsonResponse:
    body = [{"code": status, "description": text} for text in descriptions]
    return JsonResponse(body, status=status, safe=False)


def _json_only(response_format: str) -> JsonResponse | None:
    if response_format != "json":
        return _errors(400, "Only the JSON format is supported: use .json")
    return None


@require_GET
def services(request, response_format: str):
    return _json_only(response_format) or JsonResponse(service_list(), safe=False)


@require_GET
def service(request, service_code: str, response_format: str):
    if problem := _json_only(response_format):
        return problem
    form = load_forms().get(service_code)
    if form is None:
        return _errors(404, f"No service with code {service_code}")
    return JsonResponse(service_definition(form))


def _client(request):
    key = request.POST.get("api_key") or request.GET.get("api_key") or ""
    return client_for_key(key)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests(request, response_format: str):
    if problem := _json_only(response_format):
        return problem
    client = _client(request)
    if client is None:
        return _errors(403, "A valid api_key is required")
    if request.method == "POST":
        try:
            reference = open311_request(client, request.POST)
        except RequestRejected as rejected:
            return _errors(400, *rejected.descriptions)
        except ValidationError as invalid:
            return _errors(
                400,
                *[
                    f"{field}: {' '.join(messages)}"
                    for field, messages in invalid.message_dict.items()
                ],
            )
        notice = "Thank you. Your report has been received by the police."
        return JsonResponse(
            [{"service_request_id": reference, "service_notice": notice, "account_id": None}],
            status=201,
            safe=False,
        )
    ids = [item for item in request.GET.get("service_request_id", "").split(",") if item]
    found = requests_for_client(
        client,
        ids=ids,
        status=request.GET.get("status", ""),
        service_code=request.GET.get("service_code", ""),
    )
    return JsonResponse(found, safe=False)


@require_GET
def single_request(request, service_request_id: str, response_format: str):
    if problem := _json_only(response_format):
        return problem
    client = _client(request)
    if client is None:
        return _errors(403, "A valid api_key is required")
    found = requests_for_client(client, ids=[service_request_id])
    if not found:
        return _errors(404, f"No request {service_request_id}")
    return JsonResponse(found, safe=False)
