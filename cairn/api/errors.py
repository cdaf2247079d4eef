"""Structured error bodies: every 4xx/5xx from the API has the same shape."""

from ninja import Schema


class ErrorDetail(Schema):
    field: str | None = None
    message: str


class ErrorResponse(Schema):
    error: str
    message: str
    details: list[ErrorDetail] = []


class ApiProblem(Exception):
    """Raise from an endpoint to answer with a structured 4xx."""

    def __init__(self, status: int, error: str, message: str, details: list[dict] | None = None):
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.details = details or []


ERROR_RESPONSES = {400: ErrorResponse, 401: ErrorResponse, 422: ErrorResponse}
