from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from cairn import __doc__ as cairn_description

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


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    details = [
        {
            "field": ".".join(str(part) for part in error.get("loc", [])[1:]) or None,
            "message": error.get("msg", "invalid"),
        }
        for error in exc.errors
    ]
    return _error(request, 422, "validation_error", "The request body is not valid.", details)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    return _error(request, 401, "unauthorised", "A valid API key is required.")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return _error(request, exc.status_code, "http_error", str(exc))


@api.get("/v1/status", tags=["status"], summary="Whether the API is up")
def status(request):
    return {"status": "ok", "version": "1"}
