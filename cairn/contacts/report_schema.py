"""Checking one question of a form definition, strictly, with the place named.

Used by ``report_loader`` (which reads the files and the blocks). A mistake
raises FormDefinitionError naming the file and the question: a missing
translation, an unknown key (a typo such as ``requried``), a ``show_if`` on a
later or unknown question, an answer that fills a contact field it cannot fit.
"""

import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from cairn.contacts.report_questions import (
    CHOICE_TYPES,
    QUESTION_TYPES,
    TEXT_TYPES,
    Option,
    Question,
)
from cairn.contacts.services import MAX_NARRATIVE

QUESTION_KEYS = {"id", "type", "required", "max_length", "options", "show_if", "label", "hint"}
QUESTION_KEYS |= {"errors", "maps_to", "allow_future"}
CHECK_MESSAGES = {"too_long", "invalid_option", "invalid_characters", "date_invalid"}
CHECK_MESSAGES |= {"date_future", "time_invalid", "postcode_invalid", "email_invalid"}
CHECK_MESSAGES |= {"phone_invalid"}
ERROR_KEYS = CHECK_MESSAGES | {"required"}
MESSAGE_KEYS = CHECK_MESSAGES | {"answer_yes", "answer_no", "required_text", "required_choice"}
MESSAGE_KEYS |= {"required_checkboxes"}

# Contact fields an answer may fill: the question types that fit, and the longest value.
MAPS_TO: dict[str, tuple[set[str], int | None]] = {
    "narrative": ({"textarea", "text"}, MAX_NARRATIVE),
    "address_text": ({"text", "textarea"}, 400),
    "postcode": ({"postcode"}, None),
    "reporter_name": ({"text"}, 200),
    "reporter_email": ({"email"}, 254),
    "reporter_phone": ({"phone"}, 40),
    "preferred_contact": ({"radios"}, None),
    "anonymous": ({"radios"}, None),
    "related_reference": ({"text"}, 24),
}
IDENTITY = ("reporter_name", "reporter_email", "reporter_phone", "preferred_contact")
ANONYMITY_OPTIONS = {"named", "anonymous"}
# Words the reporting URLs use, so no question may take them.
RESERVED_IDS = {"check", "saved", "done"}

QUESTION_ID = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
VALUE = re.compile(r"^[a-z0-9_]{1,40}$")


class FormDefinitionError(ImproperlyConfigured):
    """A form definition is wrong; the message names the file and the question."""


def languages() -> tuple[str, ...]:
    return tuple(code for code, _name in settings.LANGUAGES)


def fail(where: str, problem: str) -> None:
    raise FormDefinitionError(f"{where}: {problem}")


def mapping(value: Any, where: str, what: str) -> dict:
    if not isinstance(value, dict):
        fail(where, f"{what} must be a mapping")
    return value


def unknown_keys(raw: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(raw) - allowed, key=str)
    if unknown:
        fail(where, f"unknown key(s) {unknown}; allowed: {sorted(allowed)}")


def parse_texts(value: Any, where: str, what: str) -> dict[str, str]:
    """A human string: present, non-empty, in every public language and no other."""
    texts = mapping(value, where, f"{what} (one text per language)")
    missing = [code for code in languages() if not isinstance(texts.get(code), str)]
    missing += [code for code in languages() if code not in missing and not texts[code].strip()]
    if missing:
        fail(where, f"{what} is missing {missing}")
    extra = sorted(set(texts) - set(languages()), key=str)
    if extra:
        fail(where, f"{what} has unknown language(s) {extra}")
    return {code: texts[code].strip() for code in languages()}


def parse_show_if(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    conditions = mapping(value, where, "show_if")
    parsed = {}
    for question_id, wanted in conditions.items():
        values = wanted if isinstance(wanted, list) else [wanted]
        if not values or not all(isinstance(item, str) for item in values):
            fail(where, f'show_if {question_id!r} must be text (quote yes/no: "yes")')
        parsed[str(question_id)] = tuple(values)
    return parsed


def merge_show_if(outer: Mapping, inner: Mapping, where: str) -> dict:
    clash = set(outer) & set(inner)
    if clash:
        fail(where, f"show_if on {sorted(clash)} is given twice")
    return {**outer, **inner}


def _options(raw: dict, qtype: str, messages: Mapping, where: str) -> tuple[Option, ...]:
    if qtype == "yesno":
        if "options" in raw:
            fail(where, "a yesno question has the options yes and no; remove 'options'")
        return (Option("yes", messages["answer_yes"]), Option("no", messages["answer_no"]))
    if qtype not in {"radios", "checkboxes"}:
        if "options" in raw:
            fail(where, f"a {qtype} question has no options")
        return ()
    items = raw.get("options")
    if not isinstance(items, list) or not items:
        fail(where, f"a {qtype} question needs a list of options")
    options = []
    for item in items:
        item = mapping(item, where, "each option")
        unknown_keys(item, {"value", "label"}, where)
        value = item.get("value")
        if not isinstance(value, str) or not VALUE.match(value):
            fail(where, f"option value {value!r} must be lower-case letters, digits or _")
        options.append(Option(value, parse_texts(item.get("label"), where, f"option {value!r}")))
    values = [option.value for option in options]
    if len(set(values)) != len(values):
        fail(where, "option values must be different")
    return tuple(options)


def _check_show_if(conditions: Mapping, earlier: Mapping[str, Question], where: str) -> None:
    for question_id, values in conditions.items():
        target = earlier.get(question_id)
        if target is None:
            fail(where, f"show_if names {question_id!r}, which is not an earlier question")
        if target.type not in CHOICE_TYPES:
            fail(where, f"show_if names {question_id!r}, which has no options")
        unknown = sorted(set(values) - set(target.option_values))
        if unknown:
            fail(where, f"show_if {question_id!r} has values {unknown} it does not offer")


def _check_maps_to(question: Question, where: str) -> None:
    if not question.maps_to:
        return
    if question.maps_to not in MAPS_TO:
        fail(where, f"maps_to {question.maps_to!r} is not one of {sorted(MAPS_TO)}")
    types, longest = MAPS_TO[question.maps_to]
    if question.type not in types:
        fail(where, f"maps_to {question.maps_to!r} needs a question of type {sorted(types)}")
    if longest is not None and question.longest > longest:
        fail(where, f"max_length {question.longest} is longer than {question.maps_to} takes")
    if question.maps_to == "anonymous" and set(question.option_values) != ANONYMITY_OPTIONS:
        fail(where, f"the anonymity question's options must be {sorted(ANONYMITY_OPTIONS)}")


def parse_question(
    raw: dict, earlier: Mapping[str, Question], messages: Mapping, where: str
) -> Question:
    question_id = raw.get("id")
    if not isinstance(question_id, str) or not QUESTION_ID.match(question_id):
        fail(where, f"question id {question_id!r} must be lower-case letters, digits or _")
    where = f"{where}: question {question_id!r}"
    unknown_keys(raw, QUESTION_KEYS, where)
    if question_id in RESERVED_IDS or question_id in earlier:
        fail(where, "this id is reserved or already used in the form")
    qtype = raw.get("type")
    if qtype not in QUESTION_TYPES:
        fail(where, f"type {qtype!r} is not one of {sorted(QUESTION_TYPES)}")
    for flag in ("required", "allow_future"):
        if not isinstance(raw.get(flag, False), bool) or (flag == "required" and flag not in raw):
            fail(where, f"{flag} must be true or false")
    if qtype == "file" and raw["required"]:
        fail(where, "a file question cannot be required")
    if raw.get("allow_future") and qtype != "date":
        fail(where, "allow_future is for date questions")
    max_length = raw.get("max_length")
    if max_length is not None and (
        qtype not in TEXT_TYPES or not isinstance(max_length, int) or max_length < 1
    ):
        fail(where, "max_length must be a positive number, on a question that takes text")
    errors = mapping(raw.get("errors", {}), where, "errors")
    unknown_keys(errors, ERROR_KEYS, where)
    question = Question(
        id=question_id,
        type=qtype,
        required=raw["required"],
        labels=parse_texts(raw.get("label"), where, "label"),
        hints=parse_texts(raw["hint"], where, "hint") if "hint" in raw else {},
        options=_options(raw, qtype, messages, where),
        show_if=raw.get("show_if") or {},
        max_length=max_length,
        maps_to=raw.get("maps_to") or "",
        errors={key: parse_texts(texts, where, f"error {key!r}") for key, texts in errors.items()},
        allow_future=raw.get("allow_future", False),
        messages=messages,
    )
    _check_show_if(question.show_if, earlier, where)
    _check_maps_to(question, where)
    return question
