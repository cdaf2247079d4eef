"""Structured error bodies: every 4xx/5xx from the API has the same shape."""

from ninja import Schema


class ErrorDetail(Schema):
    field: str | None = None
    message: str


class ErrorResponse(Schema):
    error: str
    message: str
    details: list[ErrorDetail] = []
