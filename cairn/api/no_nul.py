"""A request schema that refuses NUL characters anywhere (PostgreSQL cannot store them)."""

from typing import Any

from ninja import Schema
from pydantic import model_validator


def _reject_nul(value: Any) -> None:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("text cannot contain NUL characters")
    if isinstance(value, dict):
        for key, item in value.items():
            _reject_nul(key)
            _reject_nul(item)
    if isinstance(value, list):
        for item in value:
            _reject_nul(item)


class NoNul(Schema):
    @model_validator(mode="before")
    @classmethod
    def no_nul(cls, data: Any) -> Any:
        _reject_nul(data)
        return data
