"""The questions of the online report forms, and checking one answer.

A question is data (``policy/forms/*.yaml``, loaded by ``report_loader``).
``validate_answer`` turns what a person typed into the value kept on their
draft, or says in their language what is wrong. It is idempotent: a kept value
checks to itself, so the service re-checks every answer when a report is sent.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import get_language

from cairn.contacts.services import normalise_postcode

Texts = Mapping[str, str]

TEXT_TYPES = frozenset({"text", "textarea", "date", "time", "postcode", "email", "phone"})
CHOICE_TYPES = frozenset({"radios", "checkboxes", "yesno"})
QUESTION_TYPES = TEXT_TYPES | CHOICE_TYPES | {"file"}

# The longest answer each type takes when a definition gives no max_length.
DEFAULT_MAX_LENGTH = {
    "text": 400,
    "textarea": 5000,
    "date": 40,
    "time": 40,
    "postcode": 20,
    "email": 254,
    "phone": 40,
}
# Which message a missing answer gets, by type, unless the question has its own.
REQUIRED_MESSAGE = {"radios": "required_choice", "yesno": "required_choice"}
REQUIRED_MESSAGE |= {"checkboxes": "required_checkboxes"}

# Control characters PostgreSQL or a reader cannot take; tab and newline are fine.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# \d matches every script's digits (Arabic-Indic too) and int() reads them all.
DATE_DMY = re.compile(r"^(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{4})$")
DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
TIME = re.compile(r"^(\d{1,2})(?:\s*[:.]\s*(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|ص|م)?$", re.I)
EARLIEST_YEAR = 1900


def pick(texts: Texts, language: str) -> str:
    """The text in ``language``, else its base language, else English."""
    if not texts:
        return ""
    return texts.get(language) or texts.get(language.split("-")[0]) or texts.get("en", "")


@dataclass(frozen=True)
class Option:
    value: str
    labels: Texts

    def label(self, language: str) -> str:
        return pick(self.labels, language)


@dataclass(frozen=True)
class Question:
    """One question: what it asks (in every language), what it takes, when it shows."""

    id: str
    type: str
    required: bool
    labels: Texts
    hints: Texts = field(default_factory=dict)
    options: tuple[Option, ...] = ()
    show_if: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    max_length: int | None = None
    maps_to: str = ""
    errors: Mapping[str, Texts] = field(default_factory=dict)
    allow_future: bool = False
    messages: Mapping[str, Texts] = field(default_factory=dict, repr=False, compare=False)

    def label(self, language: str) -> str:
        return pick(self.labels, language)

    def hint(self, language: str) -> str:
        return pick(self.hints, language)

    def option_label(self, value: str, language: str) -> str:
        for option in self.options:
            if option.value == value:
                return option.label(language)
        return value

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(option.value for option in self.options)

    @property
    def longest(self) -> int:
        return self.max_length or DEFAULT_MAX_LENGTH.get(self.type, 400)

    def error(self, key: str, language: str, **params: Any) -> str:
        """This question's own message for ``key``, else the shared one."""
        texts = self.errors.get(key)
        if texts is None:
            shared = REQUIRED_MESSAGE.get(self.type, "required_text") if key == "required" else key
            texts = self.messages.get(shared, {})
        return pick(texts, language).format(**params)


class AnswerError(Exception):
    def __init__(self, key: str, **params: Any):
        super().__init__(key)
        self.key = key
        self.params = params


def validate_answer(
    question: Question, raw: Any, language: str | None = None
) -> tuple[Any, str | None]:
    """(value to keep, None), or (None, what is wrong in ``language``).

    ``raw`` is a string (a list of strings for checkboxes). An optional
    question left blank keeps "" (or []), which marks it answered.
    """
    language = language or get_language() or "en"
    try:
        return _CHECKS[question.type](question, raw), None
    except AnswerError as problem:
        return None, question.error(problem.key, language, **problem.params)


def _one(raw: Any) -> str:
    if isinstance(raw, list | tuple):
        raw = raw[-1] if raw else ""
    return "" if raw is None else str(raw)


def _clean_text(
    question: Question, raw: Any, *, multiline: bool = False, too_long: str = "too_long"
) -> str:
    value = _one(raw).replace("\r\n", "\n").replace("\r", "\n")
    if CONTROL.search(value):
        raise AnswerError("invalid_characters")
    if not multiline:
        value = " ".join(value.split())
    value = value.strip()
    if not value and question.required:
        raise AnswerError("required")
    if len(value) > question.longest:
        raise AnswerError(too_long, max=question.longest)
    return value


def _text(question: Question, raw: Any) -> str:
    return _clean_text(question, raw)


def _textarea(question: Question, raw: Any) -> str:
    return _clean_text(question, raw, multiline=True)


def _choice(question: Question, raw: Any) -> str:
    value = _one(raw).strip()
    if not value:
        if question.required:
            raise AnswerError("required")
        return ""
    if value not in question.option_values:
        raise AnswerError("invalid_option")
    return value


def _checkboxes(question: Question, raw: Any) -> list[str]:
    chosen = raw if isinstance(raw, list | tuple) else ([raw] if raw else [])
    chosen = {str(item).strip() for item in chosen if item is not None and str(item).strip()}
    if not chosen:
        if question.required:
            raise AnswerError("required")
        return []
    if not chosen <= set(question.option_values):
        raise AnswerError("invalid_option")
    return [value for value in question.option_values if value in chosen]


def _date(question: Question, raw: Any) -> str:
    typed = _clean_text(question, raw, too_long="date_invalid")
    if not typed:
        return ""
    match = DATE_ISO.match(typed)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = DATE_DMY.match(typed)
        if not match:
            raise AnswerError("date_invalid")
        day, month, year = (int(part) for part in match.groups())
    try:
        value = date(year, month, day)
    except ValueError as error:
        raise AnswerError("date_invalid") from error
    if value.year < EARLIEST_YEAR:
        raise AnswerError("date_invalid")
    if not question.allow_future and value > timezone.localdate():
        raise AnswerError("date_future")
    return value.isoformat()


def _time(question: Question, raw: Any) -> str:
    typed = _clean_text(question, raw, too_long="time_invalid")
    if not typed:
        return ""
    match = TIME.match(typed)
    if not match:
        raise AnswerError("time_invalid")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    half = (match.group(3) or "").lower().replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            raise AnswerError("time_invalid")
        hour = hour % 12 + (12 if half in {"pm", "م"} else 0)
    if hour > 23 or minute > 59:
        raise AnswerError("time_invalid")
    return f"{hour:02d}:{minute:02d}"


def _postcode(question: Question, raw: Any) -> str:
    typed = _clean_text(question, raw, too_long="postcode_invalid")
    if not typed:
        return ""
    try:
        return normalise_postcode(typed)
    except ValidationError as error:
        raise AnswerError("postcode_invalid") from error


def _email(question: Question, raw: Any) -> str:
    typed = _clean_text(question, raw, too_long="email_invalid")
    if not typed:
        return ""
    try:
        EmailValidator()(typed)
    except ValidationError as error:
        raise AnswerError("email_invalid") from error
    return typed


def _phone(question: Question, raw: Any) -> str:
    typed = _clean_text(question, raw, too_long="phone_invalid")
    if not typed:
        return ""
    try:
        number = phonenumbers.parse(typed, "GB")
    except phonenumbers.NumberParseException as error:
        raise AnswerError("phone_invalid") from error
    if not (phonenumbers.is_valid_number(number) or _uk_shaped(number)):
        raise AnswerError("phone_invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _uk_shaped(number: phonenumbers.PhoneNumber) -> bool:
    """Ten digits in a UK range: libphonenumber lags new ranges and refuses Ofcom's test ones."""
    national = str(number.national_number)
    return number.country_code == 44 and len(national) == 10 and national[0] in "12378"


def _file(question: Question, raw: Any) -> str:
    return ""  # files are kept as Evidence rows on the draft, not as an answer


_CHECKS = {
    "text": _text,
    "textarea": _textarea,
    "radios": _choice,
    "yesno": _choice,
    "checkboxes": _checkboxes,
    "date": _date,
    "time": _time,
    "postcode": _postcode,
    "email": _email,
    "phone": _phone,
    "file": _file,
}


def display_answer(question: Question, value: Any, language: str) -> list[str]:
    """An answer as a person reads it (one line per item); [] when there is none."""
    if value in ("", None, []):
        return []
    if question.type == "checkboxes":
        return [question.option_label(item, language) for item in value]
    if question.type in {"radios", "yesno"}:
        return [question.option_label(value, language)]
    if question.type == "date":
        with translation.override(language):
            return [date_format(date.fromisoformat(value), "j E Y")]
    if question.type == "phone":
        number = phonenumbers.parse(value, "GB")
        return [phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)]
    return [str(value)]


def typed_value(question: Question, value: Any) -> str:
    """A kept answer as it goes back into a text box for changing."""
    if value in ("", None):
        return ""
    if question.type == "date":
        day = date.fromisoformat(value)
        return f"{day.day}/{day.month}/{day.year}"
    if question.type == "phone":
        number = phonenumbers.parse(value, "GB")
        if number.country_code == 44:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return str(value)
