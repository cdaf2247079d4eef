"""The closure survey's questions: Police Scotland's User Experience Survey measures.

Each measure is asked on a five-point scale, stored as 1 (worst) to 5 (best);
the attending officer question has "no officer came to see me", stored as no
score (null). Labels are translatable; the portal's form and the staff summary
both read them from here.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cairn.engagement.models import Measure

NOT_APPLICABLE = "na"

EASE = (
    (5, _("Very easy")),
    (4, _("Fairly easy")),
    (3, _("Neither easy nor difficult")),
    (2, _("Fairly difficult")),
    (1, _("Very difficult")),
)
AGREEMENT = (
    (5, _("Strongly agree")),
    (4, _("Agree")),
    (3, _("Neither agree nor disagree")),
    (2, _("Disagree")),
    (1, _("Strongly disagree")),
)
SATISFACTION = (
    (5, _("Very satisfied")),
    (4, _("Fairly satisfied")),
    (3, _("Neither satisfied nor dissatisfied")),
    (2, _("Fairly dissatisfied")),
    (1, _("Very dissatisfied")),
)


@dataclass(frozen=True)
class Question:
    measure: str
    text: Promise
    scale: tuple[tuple[int, Promise], ...]
    not_applicable: Promise | None = None  # the answer that means "does not apply to me"


QUESTIONS: tuple[Question, ...] = (
    Question(Measure.EASE_OF_CONTACT, _("How easy or difficult was it to contact us?"), EASE),
    Question(Measure.TREATMENT, _("We treated you fairly and with respect."), AGREEMENT),
    Question(Measure.UNDERSTOOD_NEEDS, _("We understood what you needed."), AGREEMENT),
    Question(
        Measure.APPROPRIATE_RESPONSE,
        _("How satisfied are you with what we did about your report?"),
        SATISFACTION,
    ),
    Question(
        Measure.KEPT_INFORMED,
        _("How satisfied are you with how we kept you informed?"),
        SATISFACTION,
    ),
    Question(
        Measure.ATTENDING_OFFICER,
        _("How satisfied are you with the officer who came to see you?"),
        SATISFACTION,
        not_applicable=_("No officer came to see me"),
    ),
    Question(
        Measure.OVERALL,
        _("Overall, how satisfied are you with the service you received?"),
        SATISFACTION,
    ),
)
