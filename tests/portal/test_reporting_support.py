"""Helpers for the reporting tests (no tests here): valid answers for any form definition."""

from typing import Any

from cairn.contacts.report_forms import Question, ReportForm, first_unanswered

SAMPLE_TEXT = {
    "reporter_name": "Alex Morgan",
    "address_text": "Outside the library on George IV Bridge",
    "narrative": "Someone took my bike from the rack while I was inside.",
    "related_reference": "",
}
SAMPLES = {
    "text": "Sample answer",
    "textarea": "A longer sample answer.\nOn two lines.",
    "date": "2025-06-01",
    "time": "14:30",
    "postcode": "EH1 1YZ",
    "email": "alex@example.com",
    "phone": "+447700900982",
    "file": "",
}


def sample_answer(question: Question, *, anonymous: bool = False) -> Any:
    """A valid kept value for ``question`` (the first option for choices)."""
    if question.maps_to == "anonymous":
        return "anonymous" if anonymous else "named"
    if question.maps_to == "preferred_contact":
        return "email"
    if question.type == "checkboxes":
        return [question.options[0].value]
    if question.type == "yesno":
        return "no"
    if question.type == "radios":
        return question.options[0].value
    return SAMPLE_TEXT.get(question.maps_to, SAMPLES[question.type])


def complete_answers(form: ReportForm, *, anonymous: bool = False) -> dict[str, Any]:
    """Every question the person would be shown, answered validly."""
    answers: dict[str, Any] = {}
    while (question := first_unanswered(form, answers)) is not None:
        answers[question.id] = sample_answer(question, anonymous=anonymous)
    return answers


def answers_reaching(form: ReportForm, question: Question) -> dict[str, Any]:
    """The fewest answers that make ``question`` shown (its show_if chain satisfied)."""
    answers: dict[str, Any] = {}
    for question_id, wanted in question.show_if.items():
        target = form.question(question_id)
        answers |= answers_reaching(form, target)
        answers[question_id] = [wanted[0]] if target.type == "checkboxes" else wanted[0]
    return answers
