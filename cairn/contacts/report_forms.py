"""The online report forms: loaded once from ``policy/forms/``, walked one question at a time.

This is the stable surface other modules use (the portal, Open311):
``load_forms()`` gives every ``ReportForm`` by slug; ``visible_questions`` and
``next_question`` follow ``show_if``; ``validate_answer`` checks one answer;
``to_submission`` turns a finished set of answers into the
``ContactSubmission`` every channel hands to intake.
"""

import functools
from pathlib import Path
from typing import Any

from django.conf import settings

from cairn.contacts.models import Channel
from cairn.contacts.report_loader import ReportForm, load_forms_from
from cairn.contacts.report_questions import Option, Question, validate_answer
from cairn.contacts.report_schema import FormDefinitionError
from cairn.contacts.services import ContactSubmission

__all__ = [
    "FormDefinitionError",
    "Option",
    "Question",
    "ReportForm",
    "first_problem",
    "first_unanswered",
    "is_anonymous",
    "load_forms",
    "next_question",
    "previous_question",
    "to_submission",
    "validate_answer",
    "visible_questions",
]

FORMS_DIR = Path(settings.BASE_DIR) / "policy" / "forms"


@functools.cache
def _load() -> tuple[tuple[str, ReportForm], ...]:
    return tuple(load_forms_from(FORMS_DIR).items())


def load_forms() -> dict[str, ReportForm]:
    """Every report form by slug, in display order. Raises FormDefinitionError."""
    return dict(_load())


def _shows(answer: Any, wanted: tuple[str, ...]) -> bool:
    if isinstance(answer, list):
        return any(item in wanted for item in answer)
    return answer in wanted


def visible_questions(form: ReportForm, answers: dict[str, Any]) -> list[Question]:
    """The questions this person is asked, given their answers so far.

    A ``show_if`` looks only at questions that are themselves shown, so an
    answer left behind by a changed choice never opens a question.
    """
    shown: list[Question] = []
    shown_answers: dict[str, Any] = {}
    for question in form.questions:
        if all(_shows(shown_answers.get(q), wanted) for q, wanted in question.show_if.items()):
            shown.append(question)
            if question.id in answers:
                shown_answers[question.id] = answers[question.id]
    return shown


def next_question(
    form: ReportForm, answers: dict[str, Any], current_id: str | None
) -> Question | None:
    """The question after ``current_id`` (the first when None); None means check answers."""
    order = [question.id for question in form.questions]
    start = order.index(current_id) + 1 if current_id in order else 0
    later = set(order[start:])
    return next((q for q in visible_questions(form, answers) if q.id in later), None)


def previous_question(
    form: ReportForm, answers: dict[str, Any], current_id: str
) -> Question | None:
    order = [question.id for question in form.questions]
    if current_id not in order:
        return None
    earlier = set(order[: order.index(current_id)])
    shown = [q for q in visible_questions(form, answers) if q.id in earlier]
    return shown[-1] if shown else None


def first_unanswered(form: ReportForm, answers: dict[str, Any]) -> Question | None:
    """The first question shown that has never been answered (not even left blank)."""
    return next((q for q in visible_questions(form, answers) if q.id not in answers), None)


def first_problem(
    form: ReportForm, answers: dict[str, Any], language: str
) -> tuple[Question, str] | None:
    """Re-check every answer shown: the first missing or wrong one, with its message."""
    for question in visible_questions(form, answers):
        if question.type == "file":
            continue
        _value, error = validate_answer(question, answers.get(question.id, ""), language)
        if error:
            return question, error
    return None


def is_anonymous(form: ReportForm, answers: dict[str, Any]) -> bool:
    question = form.question_for("anonymous")
    return bool(question) and answers.get(question.id) == "anonymous"


def to_submission(form: ReportForm, answers: dict[str, Any], language: str) -> ContactSubmission:
    """What intake receives: contact fields from ``maps_to``, every answer shown in ``answers``.

    Only questions the person was shown count: an answer to a question hidden
    by a later choice (a name given before choosing to be anonymous) is dropped.
    """
    shown = {
        question.id: question
        for question in visible_questions(form, answers)
        if question.type != "file" and question.id in answers
    }
    anonymous = is_anonymous(form, answers)
    fields: dict[str, Any] = {}
    for question in shown.values():
        if question.maps_to and question.maps_to != "anonymous":
            fields[question.maps_to] = answers[question.id]
    kept = {question_id: answers[question_id] for question_id in shown}
    kept["_form"] = {"slug": form.slug, "version": form.version}
    return ContactSubmission(
        channel=Channel.WEB_FORM,
        narrative=fields.get("narrative", ""),
        language=language,
        reason=form.reason,
        category=form.category,
        anonymous=anonymous,
        reporter_name="" if anonymous else fields.get("reporter_name", ""),
        reporter_email="" if anonymous else fields.get("reporter_email", ""),
        reporter_phone="" if anonymous else fields.get("reporter_phone", ""),
        preferred_contact="" if anonymous else fields.get("preferred_contact", ""),
        address_text=fields.get("address_text", ""),
        postcode=fields.get("postcode", ""),
        related_reference=fields.get("related_reference", ""),
        answers=kept,
    )
