"""POST /api/v1/triage/suggest: the CAM engine's suggestion for a contact-like payload.

Nothing is saved: integrators use it to show a likely response, and policy
authors to try the policy on a contact. The codes (language, category, THRIVE
dimensions and levels) are checked against the current policy, so an unknown
one is a 422 naming the field rather than a silent "no rule matched".
"""

from typing import Any, Literal

from ninja import Field, Router, Schema
from pydantic import BaseModel

from cairn.api.auth import ApiKey
from cairn.api.errors import ERROR_RESPONSES, ApiProblem
from cairn.contacts.models import Channel
from cairn.triage.engine import suggest
from cairn.triage.facts import ContactFacts
from cairn.triage.policy import Policy, current_policy

router = Router(tags=["triage"], auth=ApiKey())


# A plain pydantic model, like contacts.py's: a JSON body never needs ninja's
# Schema wrapping. NUL characters are harmless here: nothing is stored.
class SuggestIn(BaseModel):
    channel: Literal[tuple(Channel.values)]  # type: ignore[valid-type]
    language: str = Field("en", max_length=8, description="The contact's language, e.g. en, gd")
    category: str = Field(
        "", max_length=60, description="An incident category of the policy, e.g. crime.theft"
    )
    narrative: str = Field(
        "", max_length=20_000, description="What happened, in the person's words"
    )
    answers: dict[str, Any] = Field(
        default_factory=dict, description="Report-form answers by question id"
    )
    thrive: dict[str, str] = Field(
        default_factory=dict,
        description="THRIVE levels by dimension (threat, harm, risk, investigation, "
        "vulnerability, engagement): low, medium or high",
    )


class CodeLabel(Schema):
    code: str
    label: str


class CueOut(Schema):
    kind: str
    label: str
    source: str = Field(description='"narrative", "answers.<question id>", …')
    evidence: str = Field(description="The words that raised it, as written")


class SuggestionOut(Schema):
    grade: CodeLabel
    pathway: CodeLabel
    cues: list[CueOut]
    explanation: str = Field(description="Why, in plain words")
    rule: str = Field(description="The id of the policy rule that chose the response")
    policy_version: str = Field(description="The policy's content hash (SHA-256)")
    policy_name: str


def _problems(payload: SuggestIn, policy: Policy) -> list[dict[str, str]]:
    problems = []
    if payload.language not in policy.languages:
        problems.append(
            {
                "field": "language",
                "message": f"Unknown language; one of: {', '.join(policy.languages)}",
            }
        )
    if payload.category and payload.category not in policy.categories:
        problems.append(
            {
                "field": "category",
                "message": f"Unknown category; one of: {', '.join(policy.categories)}",
            }
        )
    for dimension, level in payload.thrive.items():
        if dimension not in policy.thrive_dimensions:
            problems.append(
                {
                    "field": f"thrive.{dimension}",
                    "message": "Unknown THRIVE dimension; one of: "
                    + ", ".join(policy.thrive_dimensions),
                }
            )
        elif level not in policy.levels:
            problems.append(
                {
                    "field": f"thrive.{dimension}",
                    "message": f"Unknown level; one of: {', '.join(policy.levels)}",
                }
            )
    return problems


@router.post(
    "/suggest",
    response={200: SuggestionOut, **ERROR_RESPONSES},
    summary="Suggest a CAM response for a contact",
    description="Runs the current CAM policy on a contact-like payload and answers the "
    "suggested grade and pathway, the vulnerability and urgency cues raised (with where "
    "they came from and the words that raised them) and a plain-words explanation. Saves "
    "nothing. An unknown language, category, THRIVE dimension or level is a 422 naming "
    "the field.",
)
def suggest_response(request, payload: SuggestIn):
    policy = current_policy()
    problems = _problems(payload, policy)
    if problems:
        raise ApiProblem(422, "validation_error", "The request is not valid.", problems)
    suggestion = suggest(
        ContactFacts(
            channel=payload.channel,
            language=payload.language,
            category=payload.category,
            narrative=payload.narrative,
            answers=payload.answers,
            thrive=payload.thrive,
        ),
        policy,
    )
    grade, pathway = policy.grades[suggestion.grade], policy.pathways[suggestion.pathway]
    return SuggestionOut(
        grade=CodeLabel(code=grade.code, label=grade.label),
        pathway=CodeLabel(code=pathway.code, label=pathway.label),
        cues=[
            CueOut(
                kind=cue.kind,
                label=policy.cue_kinds[cue.kind].label,
                source=cue.source,
                evidence=cue.evidence,
            )
            for cue in suggestion.cues
        ],
        explanation=suggestion.explanation,
        rule=suggestion.rule,
        policy_version=suggestion.policy_version,
        policy_name=policy.name,
    )
