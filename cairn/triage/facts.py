"""What the CAM engine reads and what it answers: plain values, no database.

The engine (``cairn.triage.engine.suggest``) is a pure function of a
:class:`ContactFacts` and a policy, so it can be tested, benchmarked and run
by ``POST /api/v1/triage/suggest`` and ``manage.py cam_check`` without saving
anything.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ContactFacts:
    channel: str
    language: str = "en"
    category: str = ""  # a report form's category, e.g. "crime.theft"; may be empty
    narrative: str = ""
    answers: Mapping[str, Any] = field(default_factory=dict)
    thrive: Mapping[str, str] = field(default_factory=dict)  # dimension -> low/medium/high
    markers: tuple[str, ...] = ()  # the person's markers (people, issue 5), e.g. "repeat_victim"
    recent_contacts_from_person: int = 0  # in the policy's look-back window, this one excluded
    recent_contacts_at_location: int = 0


@dataclass(frozen=True)
class RaisedCue:
    kind: str  # a cue kind of the policy, e.g. "domestic_abuse"
    source: str  # "narrative", "answers.<question id>", "person markers", "recent contacts"
    evidence: str  # the words matched (as written), or e.g. "3 contacts in 28 days"


@dataclass(frozen=True)
class Suggestion:
    grade: str  # a grade code of the policy, e.g. "immediate"
    pathway: str  # a pathway code of the policy, e.g. "dynamic_response"
    cues: tuple[RaisedCue, ...]
    explanation: str  # plain words: why this response ("risk high because …")
    rule: str  # the id of the policy rule that chose it
    policy_version: str  # the policy's content hash
