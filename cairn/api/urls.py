from django.http import HttpRequest
from django.urls import path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from cairn import __doc__ as cairn_description
from cairn.api.calls import router as calls_router
from cairn.api.contacts import router as contacts_router
from cairn.api.dispatch import router as dispatch_router
from cairn.api.errors import ApiProblem
from cairn.api.partners import router as partners_router
from cairn.api.people import router as people_router
from cairn.api.triage import router as triage_router

api = NinjaAPI(
    title="Cairn API",
    version="1",
    description=cairn_description,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _error(request: HttpRequest, status: int, code: str, message: str, details=None):
    return api.create_response(
        request, {"error": code, "message": message, "details": details or []}, status=status
    )


def _field_path(location: tuple | list) -> str | None:
    """('body', 'payload', 'location', 'postcode') -> 'location.postcode'."""
    parts = [str(part) for part in location]
    if parts[:1] == ["body"]:
        parts = parts[2:]
    elif parts[:1] in (["query"], ["path"], ["header"]):
        parts = parts[1:]
    return ".".join(parts) or None


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    details = [
        {"field": _field_path(error.get("loc", [])), "message": error.get("msg", "invalid")}
        for error in exc.errors
    ]
    return _error(request, 422, "validation_error", "The request is not valid.", details)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    return _error(request, 401, "unauthorised", "A valid API key is required.")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return _error(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(ApiProblem)
def on_api_problem(request, exc: ApiProblem):
    return _error(request, exc.status, exc.error, exc.message, exc.details)


api.add_router("/v1/contacts", contacts_router)
api.add_router("/v1/calls", calls_router)
api.add_router("/v1/triage", triage_router)
api.add_router("/v1/people", people_router)
api.add_router("/v1/partners", partners_router)
api.add_router("/v1/dispatch", dispatch_router)


@api.get("/v1/status", tags=["status"], summary="Whether the API is up")
def status(request):
    return {"status": "ok", "version": "1"}


urlpatterns = [path("", api.urls)]
