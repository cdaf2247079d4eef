"""``manage.py cam_check FILE``: vignettes (contacts with expected responses) against the policy.

A vignette agrees when the suggestion's grade and pathway are the expected
ones and, if the vignette lists ``cues``, the cue kinds raised are exactly
those. One line is printed per disagreement, with the suggestion's explanation,
then the agreement overall, per expected grade and on Immediate vignettes. The
command fails (exit status 1) when overall agreement is below
``--min-agreement`` (90 % by default) or any Immediate vignette disagrees: an
Immediate contact suggested anything else is the error that matters most.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cairn.triage.engine import suggest
from cairn.triage.facts import ContactFacts, Suggestion
from cairn.triage.policy import Policy, PolicyError, current_policy, load_policy

VIGNETTE_KEYS = {"id", "description", "facts", "expected"}
FACT_KEYS = {
    "channel",
    "language",
    "category",
    "narrative",
    "answers",
    "thrive",
    "markers",
    "recent_contacts_from_person",
    "recent_contacts_at_location",
}
EXPECTED_KEYS = {"grade", "pathway", "cues"}
IMMEDIATE = "immediate"


@dataclass(frozen=True)
class Vignette:
    id: str
    description: str
    facts: ContactFacts
    grade: str
    pathway: str
    cues: frozenset[str] | None  # None: cues not checked


@dataclass(frozen=True)
class Outcome:
    vignette: Vignette
    suggestion: Suggestion

    @property
    def response_agrees(self) -> bool:
        return (self.suggestion.grade, self.suggestion.pathway) == (
            self.vignette.grade,
            self.vignette.pathway,
        )

    @property
    def raised(self) -> frozenset[str]:
        return frozenset(cue.kind for cue in self.suggestion.cues)

    @property
    def cues_agree(self) -> bool:
        return self.vignette.cues is None or self.vignette.cues == self.raised

    @property
    def agrees(self) -> bool:
        return self.response_agrees and self.cues_agree


def _check_keys(value: Any, allowed: set[str], where: str, required: set[str]) -> dict:
    if not isinstance(value, dict):
        raise CommandError(f"{where}: expected a mapping")
    unknown = set(value) - allowed
    if unknown:
        raise CommandError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    missing = required - set(value)
    if missing:
        raise CommandError(f"{where}: missing {', '.join(sorted(missing))}")
    return value


def _facts(raw: dict, where: str) -> ContactFacts:
    raw = _check_keys(raw, FACT_KEYS, where, {"channel"})
    try:
        return ContactFacts(
            channel=str(raw["channel"]),
            language=str(raw.get("language", "en")),
            category=str(raw.get("category") or ""),
            narrative=str(raw.get("narrative") or ""),
            answers=dict(raw.get("answers") or {}),
            thrive=dict(raw.get("thrive") or {}),
            markers=tuple(raw.get("markers") or ()),
            recent_contacts_from_person=int(raw.get("recent_contacts_from_person", 0)),
            recent_contacts_at_location=int(raw.get("recent_contacts_at_location", 0)),
        )
    except (TypeError, ValueError) as error:
        raise CommandError(f"{where}: {error}") from None


def _check_codes(facts: ContactFacts, policy: Policy, where: str) -> None:
    """A vignette with a code the policy does not know would test nothing: refuse it."""
    problems = []
    if facts.channel not in policy.channels:
        problems.append(f"channel {facts.channel!r}")
    if facts.language not in policy.languages:
        problems.append(f"language {facts.language!r}")
    if facts.category and facts.category not in policy.categories:
        problems.append(f"category {facts.category!r}")
    for dimension, level in facts.thrive.items():
        if dimension not in policy.thrive_dimensions or level not in policy.levels:
            problems.append(f"THRIVE {dimension}: {level!r}")
    if problems:
        raise CommandError(f"{where}: unknown {', '.join(problems)}")


def load_vignettes(path: Path, policy: Policy) -> list[Vignette]:
    """Read and check a vignette file against the policy's codes."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise CommandError(f"{path}: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("vignettes"), list):
        raise CommandError(f"{path}: expected a mapping with a list of 'vignettes'")
    vignettes, seen = [], set()
    for position, raw in enumerate(data["vignettes"]):
        where = f"{path}: vignettes[{position}]"
        raw = _check_keys(raw, VIGNETTE_KEYS, where, {"id", "facts", "expected"})
        vignette_id = str(raw["id"])
        if vignette_id in seen:
            raise CommandError(f"{where}: the id {vignette_id!r} is used twice")
        seen.add(vignette_id)
        where = f"{path}: {vignette_id}"
        expected = _check_keys(
            raw["expected"], EXPECTED_KEYS, f"{where}.expected", {"grade", "pathway"}
        )
        if expected["grade"] not in policy.grades:
            raise CommandError(f"{where}.expected.grade: unknown grade {expected['grade']!r}")
        if policy.pathways.get(expected["pathway"], None) is None or (
            policy.pathways[expected["pathway"]].grade != expected["grade"]
        ):
            raise CommandError(
                f"{where}.expected.pathway: {expected['pathway']!r} is not a pathway of "
                f"{expected['grade']!r}"
            )
        cues = expected.get("cues")
        if cues is not None:
            unknown = [kind for kind in cues if kind not in policy.cue_kinds]
            if unknown:
                raise CommandError(f"{where}.expected.cues: unknown cue kind(s) {unknown}")
            cues = frozenset(cues)
        facts = _facts(raw["facts"], f"{where}.facts")
        _check_codes(facts, policy, f"{where}.facts")
        vignettes.append(
            Vignette(
                id=vignette_id,
                description=str(raw.get("description", "")),
                facts=facts,
                grade=expected["grade"],
                pathway=expected["pathway"],
                cues=cues,
            )
        )
    if not vignettes:
        raise CommandError(f"{path}: no vignettes")
    return vignettes


def _percent(agreed: int, total: int) -> str:
    return f"{agreed}/{total} ({100 * agreed / total:.1f} %)" if total else "0/0"


class Command(BaseCommand):
    help = "Run a YAML file of vignettes against the CAM policy and print the agreement."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="A YAML file of vignettes")
        parser.add_argument(
            "--policy",
            type=Path,
            help="A policy directory (cam.yaml and cues.yaml) instead of the current policy",
        )
        parser.add_argument(
            "--min-agreement",
            type=float,
            default=90.0,
            help="Fail below this overall agreement, in per cent (default 90)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            policy = load_policy(options["policy"]) if options["policy"] else current_policy()
        except PolicyError as error:
            raise CommandError(str(error)) from None
        vignettes = load_vignettes(options["file"], policy)
        outcomes = [Outcome(vignette, suggest(vignette.facts, policy)) for vignette in vignettes]
        for outcome in outcomes:
            if not outcome.agrees:
                self.stdout.write(self._disagreement(outcome, policy))
        agreed = sum(outcome.agrees for outcome in outcomes)
        self.stdout.write(f"policy: {policy.name} ({policy.digest[:12]})")
        self.stdout.write(f"agreement: {_percent(agreed, len(outcomes))}")
        by_grade: dict[str, list[Outcome]] = defaultdict(list)
        for outcome in outcomes:
            by_grade[outcome.vignette.grade].append(outcome)
        for code, grade in policy.grades.items():
            group = by_grade.get(code, [])
            self.stdout.write(
                f"  {grade.label}: {_percent(sum(o.agrees for o in group), len(group))}"
            )
        immediate = by_grade.get(IMMEDIATE, [])
        immediate_agreed = sum(o.agrees for o in immediate)
        self.stdout.write(f"immediate: {_percent(immediate_agreed, len(immediate))}")
        failures = []
        if 100 * agreed / len(outcomes) < options["min_agreement"]:
            failures.append(f"agreement below {options['min_agreement']:g} %")
        if immediate_agreed < len(immediate):
            failures.append("an Immediate vignette disagrees")
        if failures:
            raise CommandError("; ".join(failures), returncode=1)
        self.stdout.write("cam_check passed")

    def _disagreement(self, outcome: Outcome, policy: Policy) -> str:
        vignette, suggestion = outcome.vignette, outcome.suggestion
        parts = [f"DISAGREES {vignette.id}:"]
        if not outcome.response_agrees:
            parts.append(
                f"expected {policy.grades[vignette.grade].label} / "
                f"{policy.pathways[vignette.pathway].label}, suggested "
                f"{policy.grades[suggestion.grade].label} / "
                f"{policy.pathways[suggestion.pathway].label} (rule {suggestion.rule})."
            )
        if not outcome.cues_agree:
            expected = ", ".join(sorted(vignette.cues or ())) or "none"
            raised = ", ".join(sorted(outcome.raised)) or "none"
            parts.append(f"Cues expected [{expected}], raised [{raised}].")
        parts.append(suggestion.explanation)
        return " ".join(parts)
