"""Reading the form definitions in ``policy/forms/`` into ReportForms, checked strictly.

Files starting with ``_`` are shared: ``_messages.yaml`` (answer checks,
yes/no) and ``_blocks.yaml`` (question blocks a form includes, with
``show_if`` and per-form ``override``). Each question is checked by
``report_schema``; here the form as a whole is: its slug, category, that it has
one narrative, that anonymity and evidence match its questions, and that no
identity question can show on the anonymous path.
"""

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cairn.contacts.models import Reason
from cairn.contacts.report_questions import Question, Texts, pick
from cairn.contacts.report_schema import (
    IDENTITY,
    MESSAGE_KEYS,
    FormDefinitionError,
    fail,
    languages,
    mapping,
    merge_show_if,
    parse_question,
    parse_show_if,
    parse_texts,
    unknown_keys,
)

FORM_KEYS = {"slug", "category", "reason", "order", "anonymous_allowed", "evidence_allowed"}
FORM_KEYS |= {"title", "description", "questions"}
REQUIRED_FORM_KEYS = FORM_KEYS - {"reason", "order"}
INCLUDE_KEYS = {"block", "show_if", "override"}
OVERRIDE_KEYS = {"label", "hint", "errors", "required"}
RESERVED_SLUGS = {"resume", "emergency"}  # words the reporting URLs use
SLUG = re.compile(r"^[a-z][a-z0-9-]{0,59}$")
CATEGORY = re.compile(r"^[a-z_]+(\.[a-z_]+)*$")


@dataclass(frozen=True)
class ReportForm:
    """One report type: its questions in order and how its answers become a contact."""

    slug: str
    category: str
    reason: str
    order: int
    anonymous_allowed: bool
    evidence_allowed: bool
    titles: Texts
    descriptions: Texts
    questions: tuple[Question, ...]
    version: str  # a hash of the definition as loaded (blocks and messages included)

    def title(self, language: str) -> str:
        return pick(self.titles, language)

    def description(self, language: str) -> str:
        return pick(self.descriptions, language)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def question_for(self, field: str) -> Question | None:
        """The question whose answer fills the contact field ``field`` (``maps_to``)."""
        return next((q for q in self.questions if q.maps_to == field), None)


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise FormDefinitionError(f"{path.name}: cannot be read as YAML: {error}") from error


def load_messages(path: Path) -> dict[str, dict[str, str]]:
    raw = mapping(read_yaml(path), path.name, "the file")
    unknown_keys(raw, {"messages"}, path.name)
    messages = mapping(raw.get("messages"), path.name, "messages")
    missing = sorted(MESSAGE_KEYS - set(messages))
    if missing:
        fail(path.name, f"messages missing {missing}")
    unknown_keys(messages, MESSAGE_KEYS, path.name)
    parsed = {
        key: parse_texts(texts, path.name, f"message {key!r}") for key, texts in messages.items()
    }
    for code in languages():
        if "{max}" not in parsed["too_long"][code]:
            fail(path.name, f"message 'too_long' in {code!r} must keep {{max}}")
    return parsed


def load_blocks(path: Path) -> dict[str, list]:
    raw = mapping(read_yaml(path), path.name, "the file")
    unknown_keys(raw, {"blocks"}, path.name)
    blocks = mapping(raw.get("blocks"), path.name, "blocks")
    for name, entries in blocks.items():
        if not isinstance(entries, list) or not entries:
            fail(path.name, f"block {name!r} must be a non-empty list of questions")
    return blocks


def expand(
    entries: list, blocks: dict[str, list], where: str, show_if: Mapping | None = None, depth=0
) -> Iterator[dict]:
    """Question mappings in order, blocks included, with their show_if merged."""
    for entry in entries:
        entry = mapping(entry, where, "each question")
        if "block" not in entry:
            label = f"{where}: question {entry.get('id')!r}"
            conditions = merge_show_if(
                show_if or {}, parse_show_if(entry.get("show_if"), label), label
            )
            yield {**entry, "show_if": conditions}
            continue
        unknown_keys(entry, INCLUDE_KEYS, f"{where}: block {entry['block']!r}")
        name = entry["block"]
        if name not in blocks:
            fail(where, f"unknown block {name!r}; known: {sorted(blocks)}")
        if depth > 4:
            fail(where, f"block {name!r} includes blocks too deeply (a loop?)")
        inner_where = f"{where}: block {name!r}"
        own = parse_show_if(entry.get("show_if"), inner_where)
        conditions = merge_show_if(show_if or {}, own, where)
        included = list(expand(blocks[name], blocks, inner_where, conditions, depth + 1))
        overrides = mapping(entry.get("override", {}), inner_where, "override")
        ids = {question.get("id") for question in included}
        for question_id, changes in overrides.items():
            if question_id not in ids:
                fail(inner_where, f"override names {question_id!r}, which the block does not ask")
            unknown_keys(mapping(changes, inner_where, "override"), OVERRIDE_KEYS, inner_where)
        for question in included:
            changes = overrides.get(question.get("id"), {})
            errors = {
                **mapping(question.get("errors", {}), inner_where, "errors"),
                **mapping(changes.get("errors", {}), inner_where, "override errors"),
            }
            yield {**question, **changes, **({"errors": errors} if errors else {})}


def _depends_on(question: Question, target: str, value: str, by_id: Mapping) -> bool:
    """True when ``question`` can only show after ``target`` was answered ``value``."""
    if question.show_if.get(target) == (value,):
        return True
    return any(_depends_on(by_id[other], target, value, by_id) for other in question.show_if)


def _check_form(questions: tuple[Question, ...], raw: dict, where: str) -> None:
    by_id = {question.id: question for question in questions}
    targets = [question.maps_to for question in questions if question.maps_to]
    if len(set(targets)) != len(targets):
        fail(where, "two questions fill the same contact field (maps_to)")
    narrative = [question for question in questions if question.maps_to == "narrative"]
    if len(narrative) != 1 or not narrative[0].required:
        fail(where, "exactly one required question must have maps_to: narrative")
    anonymity = next((q for q in questions if q.maps_to == "anonymous"), None)
    if bool(anonymity) != raw["anonymous_allowed"]:
        fail(where, "anonymous_allowed must match having a maps_to: anonymous question")
    files = [question for question in questions if question.type == "file"]
    if len(files) > 1 or bool(files) != raw["evidence_allowed"]:
        fail(where, "evidence_allowed must match having one file question")
    for question in questions:
        identity = anonymity and question.maps_to in IDENTITY
        if identity and not _depends_on(question, anonymity.id, "named", by_id):
            fail(
                f"{where}: question {question.id!r}",
                f"asks for identity, so it must show only when {anonymity.id!r} is 'named'",
            )


def parse_form(path: Path, blocks: dict[str, list], messages: Mapping) -> ReportForm:
    where = path.name
    raw = mapping(read_yaml(path), where, "the file")
    unknown_keys(raw, FORM_KEYS, where)
    missing = sorted(REQUIRED_FORM_KEYS - set(raw))
    if missing:
        fail(where, f"missing {missing}")
    slug = raw["slug"]
    if slug != path.stem or not SLUG.match(str(slug)) or slug in RESERVED_SLUGS:
        fail(where, f"slug {slug!r} must be the file's name, in lower-case letters and -")
    if not isinstance(raw["category"], str) or not CATEGORY.match(raw["category"]):
        fail(where, f"category {raw['category']!r} must look like crime.theft")
    if len(raw["category"]) > 60:
        fail(where, "category is longer than 60 characters")
    reason = raw.get("reason", Reason.NEW_MATTER.value)
    if reason not in Reason.values:
        fail(where, f"reason {reason!r} is not one of {Reason.values}")
    for flag in ("anonymous_allowed", "evidence_allowed"):
        if not isinstance(raw[flag], bool):
            fail(where, f"{flag} must be true or false")
    order = raw.get("order", 1000)
    if not isinstance(order, int):
        fail(where, "order must be a number")
    if not isinstance(raw["questions"], list) or not raw["questions"]:
        fail(where, "questions must be a non-empty list")
    expanded = list(expand(raw["questions"], blocks, where))
    questions: dict[str, Question] = {}
    for entry in expanded:
        question = parse_question(entry, questions, messages, where)
        questions[question.id] = question
    ordered = tuple(questions.values())
    _check_form(ordered, raw, where)
    definition = {key: value for key, value in raw.items() if key != "questions"}
    version = json.dumps(
        [definition, expanded, dict(messages)], sort_keys=True, ensure_ascii=False, default=list
    )
    return ReportForm(
        slug=slug,
        category=raw["category"],
        reason=reason,
        order=order,
        anonymous_allowed=raw["anonymous_allowed"],
        evidence_allowed=raw["evidence_allowed"],
        titles=parse_texts(raw["title"], where, "title"),
        descriptions=parse_texts(raw["description"], where, "description"),
        questions=ordered,
        version=hashlib.sha256(version.encode()).hexdigest()[:16],
    )


def load_forms_from(directory: Path) -> dict[str, ReportForm]:
    """Every form in ``directory``, in display order. Raises FormDefinitionError."""
    messages = load_messages(directory / "_messages.yaml")
    blocks = load_blocks(directory / "_blocks.yaml")
    strays = sorted(path.name for path in directory.glob("*.yml"))
    if strays:
        raise FormDefinitionError(f"{strays}: name form definitions *.yaml")
    forms = [
        parse_form(path, blocks, messages)
        for path in sorted(directory.glob("*.yaml"))
        if not path.name.startswith("_")
    ]
    if not forms:
        raise FormDefinitionError(f"{directory}: no form definitions")
    forms.sort(key=lambda form: (form.order, form.slug))
    return {form.slug: form for form in forms}
