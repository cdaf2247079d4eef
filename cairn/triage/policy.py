"""The CAM policy as data: ``policy/cam.yaml`` (grades, pathways, rules) and ``policy/cues.yaml``.

``load_policy`` reads both files and validates them strictly: an unknown key,
an unknown grade, pathway, cue kind or category, a pathway under the wrong
grade or a missing label stops with a :class:`PolicyError` naming the file and
the key. A policy is identified by ``digest``, the SHA-256 of its canonical
text; every decision points at the ``PolicyVersion`` row holding that text, so
a supervisor can see, and diff, what a decision was made under.

The rules' vocabulary (``when``/``then``) is read by ``cairn.triage.engine``,
which also evaluates it, so the two cannot drift apart. Only
``current_policy`` (settings) and ``remember_policy_version`` (a row) need
Django set up: the benchmark and ``cam_check`` load a policy from a path.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from cairn.triage.models import PolicyVersion

LEVELS = ("low", "medium", "high")
THRIVE_DIMENSIONS = ("threat", "harm", "risk", "investigation", "vulnerability", "engagement")
NEXT_STEPS = (  # cairn.triage.models.NextStepKind (a test keeps them equal)
    "dispatch_request",
    "appointment_to_book",
    "resolution_task",
    "referral",
    "advice_message",
    "no_further_action",
)
POLICY_FILES = ("cam.yaml", "cues.yaml")


class PolicyError(ValueError):
    """The policy files are wrong: ``file`` and ``key`` say where, ``problem`` what."""

    def __init__(self, file: str, key: str, problem: str):
        self.file, self.key, self.problem = file, key, problem
        super().__init__(f"{file}: {key}: {problem}" if key else f"{file}: {problem}")


@dataclass(frozen=True)
class Grade:
    code: str
    label: str
    description: str
    pathways: tuple[str, ...]
    review_after_minutes: int | None
    deploys: bool


@dataclass(frozen=True)
class Pathway:
    code: str
    label: str
    grade: str
    next_step: str
    description: str = ""


@dataclass(frozen=True)
class AnswerTrigger:
    """A report-form answer that raises a cue: ``question`` is one of ``values``, and ``when``."""

    question: str
    values: tuple[str, ...]
    when: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class CueKind:
    code: str
    label: str
    urgency: int  # higher is more urgent (queue order)
    suggests: str | None  # a pathway code, e.g. distress -> partner_referral
    reason: str = ""  # plain words for an explanation: "a weapon is mentioned"
    negatable: bool = False  # "there was no knife" does not raise it
    phrases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # language -> phrases
    answers: tuple[AnswerTrigger, ...] = ()
    markers: tuple[str, ...] = ()
    recent_contacts: tuple[str, int] | None = None  # ("person" | "location", at least)
    exceptions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # language -> phrases
    pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)
    exception_pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class AnswerCondition:
    question: str
    values: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Rule:
    """When every condition given holds, suggest ``grade`` + ``pathway``. No condition: always."""

    id: str
    grade: str
    pathway: str
    explain: str  # a template with {grade}, {pathway} and {reasons}
    category: tuple[str, ...] = ()  # exact categories, or "crime.*" for a family
    channel: tuple[str, ...] = ()
    cues_any: tuple[str, ...] = ()
    cues_all: tuple[str, ...] = ()
    cues_none: tuple[str, ...] = ()
    thrive_at_least: Mapping[str, str] = field(default_factory=dict)  # each at or above
    thrive_any_at_least: Mapping[str, str] = field(default_factory=dict)  # one at or above
    thrive_at_most: Mapping[str, str] = field(default_factory=dict)  # each assessed, at or below
    answers: tuple[AnswerCondition, ...] = ()


@dataclass(frozen=True)
class Policy:
    name: str
    digest: str
    text: str
    grades: Mapping[str, Grade]  # most urgent first
    pathways: Mapping[str, Pathway]
    cue_kinds: Mapping[str, CueKind]  # most urgent first
    rules: tuple[Rule, ...]
    lookback_days: int
    languages: tuple[str, ...]
    categories: Mapping[str, str]  # code -> plain words: "it is a report of theft"
    channels: Mapping[str, str]  # code -> plain words: "it came from a device or alarm"
    thrive_dimensions: Mapping[str, str]  # code -> label
    level_labels: Mapping[str, str]
    negations: frozenset[str] = frozenset()  # normalised words that negate a phrase after them
    levels: tuple[str, ...] = LEVELS

    def level_rank(self, level: str) -> int:
        return self.levels.index(level)


class Reader:
    """Reads one YAML file's values, naming the file and the key in every error."""

    def __init__(self, file: str):
        self.file = file

    def fail(self, key: str, problem: str) -> PolicyError:
        return PolicyError(self.file, key, problem)

    def mapping(
        self, value: Any, key: str, required: Iterable[str] = (), optional: Iterable[str] = ()
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, "expected a mapping")
        required, allowed = set(required), set(required) | set(optional)
        for name in value:
            if name not in allowed:
                raise self.fail(
                    _join(key, str(name)), f"unknown key (allowed: {', '.join(sorted(allowed))})"
                )
        for name in sorted(required - set(value)):
            raise self.fail(_join(key, name), "missing")
        return value

    def any_mapping(self, value: Any, key: str) -> dict[str, Any]:
        """A mapping whose keys are the policy's own codes (checked by the caller)."""
        if not isinstance(value, dict):
            raise self.fail(key, "expected a mapping")
        return {str(name): item for name, item in value.items()}

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "expected some text")
        return value.strip()

    def integer(self, value: Any, key: str, minimum: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(key, f"expected a whole number of at least {minimum}")
        return value

    def boolean(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, "expected true or false")
        return value

    def texts(self, value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(key, "expected a list")
        return tuple(self.text(item, f"{key}[{n}]") for n, item in enumerate(value))

    def codes(self, value: Any, key: str, known: Iterable[str], what: str) -> tuple[str, ...]:
        codes = self.texts(value, key)
        for n, code in enumerate(codes):
            self.known(code, f"{key}[{n}]", known, what)
        return codes

    def known(self, code: Any, key: str, known: Iterable[str], what: str) -> str:
        known = list(known)
        if code not in known:
            raise self.fail(key, f"unknown {what} {code!r} (known: {', '.join(known)})")
        return code

    def labels(self, value: Any, key: str, expected: Iterable[str] | None = None) -> dict[str, str]:
        if expected is None:
            value = self.any_mapping(value, key)
        else:
            value = self.mapping(value, key, required=expected)
        return {str(code): self.text(label, _join(key, str(code))) for code, label in value.items()}


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _parse_grades(reader: Reader, raw: Any) -> tuple[dict[str, Grade], dict[str, Pathway]]:
    grades, pathways = {}, {}
    for code, spec in reader.any_mapping(raw, "grades").items():
        key = f"grades.{code}"
        spec = reader.mapping(
            spec,
            key,
            required=("label", "description", "deploys", "pathways"),
            optional=("review_after_minutes",),
        )
        raw_pathways = reader.any_mapping(spec["pathways"], f"{key}.pathways")
        if not raw_pathways:
            raise reader.fail(f"{key}.pathways", "a grade needs at least one pathway")
        for pathway_code, pathway in raw_pathways.items():
            where = f"{key}.pathways.{pathway_code}"
            if pathway_code in pathways:
                raise reader.fail(where, f"already a pathway of {pathways[pathway_code].grade}")
            pathway = reader.mapping(
                pathway, where, required=("label", "next_step"), optional=("description",)
            )
            pathways[pathway_code] = Pathway(
                code=pathway_code,
                label=reader.text(pathway["label"], f"{where}.label"),
                grade=code,
                next_step=reader.known(
                    pathway["next_step"], f"{where}.next_step", NEXT_STEPS, "next step"
                ),
                description=reader.text(pathway.get("description", "-"), f"{where}.description"),
            )
        review = spec.get("review_after_minutes")
        grades[code] = Grade(
            code=code,
            label=reader.text(spec["label"], f"{key}.label"),
            description=reader.text(spec["description"], f"{key}.description"),
            pathways=tuple(raw_pathways),
            review_after_minutes=None
            if review is None
            else reader.integer(review, f"{key}.review_after_minutes", 1),
            deploys=reader.boolean(spec["deploys"], f"{key}.deploys"),
        )
    if not grades:
        raise reader.fail("grades", "a policy needs at least one grade")
    return grades, pathways


def _parse_yaml(text: str, label: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise PolicyError(label, "", f"not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise PolicyError(label, "", "expected a mapping at the top level")
    return data


def canonical_text(texts: Mapping[str, str]) -> str:
    """The policy files in a fixed order, each under a header, with Unix line ends."""
    parts = []
    for name in POLICY_FILES:
        body = texts[name].replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")
        parts.append(f"# --- {name}\n{body}\n")
    return "".join(parts)


def load_policy(location: str | Path) -> Policy:
    """Load and validate the policy in a directory (or in the directory of a ``cam.yaml``)."""
    location = Path(location)
    directory = location if location.is_dir() else location.parent
    texts = {}
    for name in POLICY_FILES:
        try:
            texts[name] = (directory / name).read_text(encoding="utf-8-sig")
        except OSError as error:
            raise PolicyError(str(directory / name), "", f"cannot read it ({error})") from None
    cam_reader, cues_reader = (
        Reader(str(directory / "cam.yaml")),
        Reader(str(directory / "cues.yaml")),
    )
    cam = cam_reader.mapping(
        _parse_yaml(texts["cam.yaml"], cam_reader.file),
        "",
        required=("name", "lookback_days", "thrive", "channels", "categories", "grades", "rules"),
    )
    thrive = cam_reader.mapping(cam["thrive"], "thrive", required=("levels", "dimensions"))
    grades, pathways = _parse_grades(cam_reader, cam["grades"])
    # Each part of the policy is read by the module that evaluates it (and
    # imports this one): cues.py the cue kinds, engine.py the rules.
    from cairn.triage.cues import parse_cues
    from cairn.triage.engine import parse_rules

    cues = parse_cues(cues_reader, _parse_yaml(texts["cues.yaml"], cues_reader.file), pathways)
    text = canonical_text(texts)
    policy = Policy(
        name=cam_reader.text(cam["name"], "name"),
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        text=text,
        grades=grades,
        pathways=pathways,
        cue_kinds=cues["cue_kinds"],
        rules=(),
        lookback_days=cam_reader.integer(cam["lookback_days"], "lookback_days", 1),
        languages=cues["languages"],
        categories=cam_reader.labels(cam["categories"], "categories"),
        channels=cam_reader.labels(cam["channels"], "channels"),
        thrive_dimensions=cam_reader.labels(
            thrive["dimensions"], "thrive.dimensions", THRIVE_DIMENSIONS
        ),
        level_labels=cam_reader.labels(thrive["levels"], "thrive.levels", LEVELS),
        negations=cues["negations"],
    )
    policy = replace(policy, rules=parse_rules(cam_reader, cam["rules"], policy))
    _check_cue_suggestions(cues_reader, policy)
    return policy


def _check_cue_suggestions(reader: Reader, policy: Policy) -> None:
    """A cue kind's ``suggests`` must be what a rule on that cue suggests, or it would mislead."""
    for kind in policy.cue_kinds.values():
        if kind.suggests and not any(
            rule.pathway == kind.suggests and kind.code in rule.cues_any + rule.cues_all
            for rule in policy.rules
        ):
            raise reader.fail(
                f"cues.{kind.code}.suggests",
                f"no rule on this cue suggests {kind.suggests!r} (see cam.yaml rules)",
            )


def default_policy_dir() -> Path:
    from django.conf import settings

    return Path(getattr(settings, "CAIRN_POLICY_DIR", Path(settings.BASE_DIR) / "policy"))


@functools.cache
def current_policy() -> Policy:
    """The policy in use, loaded once per process. Tests: ``current_policy.cache_clear()``."""
    return load_policy(default_policy_dir())


def remember_policy_version(policy: Policy) -> PolicyVersion:
    """The PolicyVersion row for this policy's digest, made the first time it is used."""
    from cairn.triage.models import PolicyVersion

    version, _created = PolicyVersion.objects.get_or_create(
        digest=policy.digest, defaults={"name": policy.name, "text": policy.text}
    )
    return version


def diff_policy_versions(older: PolicyVersion, newer: PolicyVersion) -> list[str]:
    """Unified diff lines from ``older``'s text to ``newer``'s (without line ends)."""
    return list(
        difflib.unified_diff(
            older.text.splitlines(),
            newer.text.splitlines(),
            fromfile=f"{older.name} ({older.digest[:12]})",
            tofile=f"{newer.name} ({newer.digest[:12]})",
            lineterm="",
        )
    )
