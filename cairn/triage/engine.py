"""The CAM engine: which response the policy suggests for a contact, and why, in plain words.

``suggest`` is a pure function of the facts and the policy (no database, no
I/O): it raises the cues, then walks the policy's rules in order; the first
rule whose conditions all hold gives the grade and pathway, and the facts that
made it hold become the explanation ("Immediate because a weapon is mentioned
("knife") and the incident is happening now ("right now")"). The last rule
has no condition, so there is always an answer.

This module also reads the rules' ``when``/``then`` vocabulary from
``cam.yaml`` (``parse_rules``), next to the code that evaluates it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cairn.triage.cues import raise_cues
from cairn.triage.facts import ContactFacts, RaisedCue, Suggestion
from cairn.triage.policy import AnswerCondition, Reader, Rule

if TYPE_CHECKING:
    from cairn.triage.policy import CueKind, Policy

WHEN_KEYS = (
    "category",
    "channel",
    "cues_any",
    "cues_all",
    "cues_none",
    "thrive_at_least",
    "thrive_any_at_least",
    "thrive_at_most",
    "answers",
)
NOTHING_MORE_SPECIFIC = "nothing called for a more specific response"


def suggest(facts: ContactFacts, policy: Policy | None = None) -> Suggestion:
    """The response the policy suggests for these facts (always one of its grades and pathways)."""
    if policy is None:
        from cairn.triage.policy import current_policy

        policy = current_policy()
    cues = raise_cues(facts, policy)
    first_cue: dict[str, RaisedCue] = {}
    for cue in cues:
        first_cue.setdefault(cue.kind, cue)
    levels = _levels(facts.thrive, policy)
    for rule in policy.rules:
        reasons = _reasons_if_matched(rule, facts, first_cue, levels, policy)
        if reasons is not None:
            break
    grade, pathway = policy.grades[rule.grade], policy.pathways[rule.pathway]
    explanation = rule.explain.format(
        grade=grade.label, pathway=pathway.label, reasons=_and(reasons) or NOTHING_MORE_SPECIFIC
    )
    return Suggestion(
        grade=grade.code,
        pathway=pathway.code,
        cues=cues,
        explanation=explanation,
        rule=rule.id,
        policy_version=policy.digest,
    )


def _levels(thrive: Any, policy: Policy) -> dict[str, int]:
    """The THRIVE levels given, as ranks; unknown dimensions and levels are ignored."""
    if not isinstance(thrive, Mapping):
        return {}
    return {
        dimension: policy.levels.index(level)
        for dimension, level in thrive.items()
        if dimension in policy.thrive_dimensions and level in policy.levels
    }


def _and(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _cue_reason(kind: CueKind, cue: RaisedCue) -> str:
    if cue.source == "narrative" or cue.source.startswith("answers."):
        return f"{kind.reason} (\u201c{cue.evidence}\u201d)"
    if cue.source == "person markers":
        return f"{kind.reason} (on the person's record: {cue.evidence})"
    return f"{kind.reason} ({cue.evidence})"


def _category_matches(pattern: str, category: str) -> bool:
    if pattern.endswith(".*"):
        return category.startswith(pattern[:-1])
    return category == pattern


def _answer_values(answer: Any) -> set[str]:
    if isinstance(answer, list | tuple | set | frozenset):
        return {str(item) for item in answer}
    return set() if answer is None else {str(answer)}


def _thrive_reason(policy: Policy, dimension: str, rank: int) -> str:
    label = policy.thrive_dimensions[dimension]
    return f"{label} is assessed as {policy.level_labels[policy.levels[rank]].lower()}"


def _reasons_if_matched(
    rule: Rule,
    facts: ContactFacts,
    first_cue: Mapping[str, RaisedCue],
    levels: Mapping[str, int],
    policy: Policy,
) -> list[str] | None:
    """The plain-words reasons the rule matched, or None when one of its conditions fails."""
    reasons: list[str] = []
    if rule.cues_none and any(kind in first_cue for kind in rule.cues_none):
        return None
    if rule.cues_all:
        if not all(kind in first_cue for kind in rule.cues_all):
            return None
        reasons += [_cue_reason(policy.cue_kinds[k], first_cue[k]) for k in rule.cues_all]
    if rule.cues_any:
        present = [k for k in rule.cues_any if k in first_cue]
        if not present:
            return None
        reasons += [
            _cue_reason(policy.cue_kinds[k], first_cue[k])
            for k in present
            if k not in rule.cues_all
        ]
    for dimension, level in rule.thrive_at_least.items():
        rank = levels.get(dimension)
        if rank is None or rank < policy.levels.index(level):
            return None
        reasons.append(_thrive_reason(policy, dimension, rank))
    if rule.thrive_any_at_least:
        high = [
            d
            for d, level in rule.thrive_any_at_least.items()
            if levels.get(d, -1) >= policy.levels.index(level)
        ]
        if not high:
            return None
        reasons += [_thrive_reason(policy, d, levels[d]) for d in high]
    for dimension, level in rule.thrive_at_most.items():
        rank = levels.get(dimension)
        if rank is None or rank > policy.levels.index(level):
            return None
        reasons.append(_thrive_reason(policy, dimension, rank))
    for condition in rule.answers:
        if not _answer_values(facts.answers.get(condition.question)) & set(condition.values):
            return None
        reasons.append(condition.reason)
    if rule.channel:
        if facts.channel not in rule.channel:
            return None
        reasons.append(policy.channels[facts.channel])
    if rule.category:
        category = facts.category if isinstance(facts.category, str) else ""
        if not any(_category_matches(pattern, category) for pattern in rule.category):
            return None
        reasons.append(policy.categories.get(category, f"the category is {category}"))
    return reasons


def parse_rules(reader: Reader, raw: Any, policy: Policy) -> tuple[Rule, ...]:
    """Read ``cam.yaml``'s ordered rules, checked against the policy's grades, pathways, cues."""
    if not isinstance(raw, list) or not raw:
        raise reader.fail("rules", "expected a list of rules, the last one the default")
    rules: list[Rule] = []
    for position, spec in enumerate(raw):
        spec = reader.mapping(
            spec, f"rules[{position}]", required=("id", "then", "explain"), optional=("when",)
        )
        rule_id = reader.text(spec["id"], f"rules[{position}].id")
        key = f"rules.{rule_id}"
        if any(rule.id == rule_id for rule in rules):
            raise reader.fail(key, "two rules have this id")
        rules.append(_parse_rule(reader, key, rule_id, spec, policy))
    for rule in rules[:-1]:
        if not _conditions(rule):
            raise reader.fail(
                f"rules.{rule.id}", "only the last rule can have no conditions (none after it runs)"
            )
    if _conditions(rules[-1]):
        raise reader.fail(
            f"rules.{rules[-1].id}.when", "the last rule is the default: it has no conditions"
        )
    return tuple(rules)


def _conditions(rule: Rule) -> bool:
    return any(getattr(rule, name) for name in WHEN_KEYS)


def _parse_rule(reader: Reader, key: str, rule_id: str, spec: dict, policy: Policy) -> Rule:
    then = reader.mapping(spec["then"], f"{key}.then", required=("grade", "pathway"))
    grade = reader.known(then["grade"], f"{key}.then.grade", policy.grades, "grade")
    pathway = reader.known(then["pathway"], f"{key}.then.pathway", policy.pathways, "pathway")
    if policy.pathways[pathway].grade != grade:
        raise reader.fail(
            f"{key}.then.pathway",
            f"{pathway!r} is a pathway of {policy.pathways[pathway].grade!r}, not of {grade!r}",
        )
    explain = reader.text(spec["explain"], f"{key}.explain")
    try:
        explain.format(grade="", pathway="", reasons="")
    except (KeyError, IndexError, ValueError) as error:
        raise reader.fail(
            f"{key}.explain", f"only {{grade}}, {{pathway}} and {{reasons}} can be used ({error})"
        ) from None
    when = reader.mapping(spec.get("when") or {}, f"{key}.when", optional=WHEN_KEYS)
    where = f"{key}.when"
    cue_codes = {
        name: reader.codes(when[name], f"{where}.{name}", policy.cue_kinds, "cue kind")
        for name in ("cues_any", "cues_all", "cues_none")
        if name in when
    }
    thrive = {
        name: _thrive_condition(reader, when[name], f"{where}.{name}", policy)
        for name in ("thrive_at_least", "thrive_any_at_least", "thrive_at_most")
        if name in when
    }
    return Rule(
        id=rule_id,
        grade=grade,
        pathway=pathway,
        explain=explain,
        category=_categories(reader, when.get("category", []), f"{where}.category", policy),
        channel=reader.codes(
            when.get("channel", []), f"{where}.channel", policy.channels, "channel"
        ),
        answers=_answer_conditions(reader, when.get("answers", {}), f"{where}.answers"),
        **cue_codes,
        **thrive,
    )


def _thrive_condition(reader: Reader, raw: Any, key: str, policy: Policy) -> dict[str, str]:
    raw = reader.mapping(raw, key, optional=policy.thrive_dimensions)
    if not raw:
        raise reader.fail(key, "name at least one THRIVE dimension")
    return {
        dimension: reader.known(level, f"{key}.{dimension}", policy.levels, "level")
        for dimension, level in raw.items()
    }


def _categories(reader: Reader, raw: Any, key: str, policy: Policy) -> tuple[str, ...]:
    patterns = reader.texts(raw, key)
    for position, pattern in enumerate(patterns):
        family = pattern[:-1] if pattern.endswith(".*") else None
        if (family is None and pattern not in policy.categories) or (
            family is not None and not any(code.startswith(family) for code in policy.categories)
        ):
            raise reader.fail(
                f"{key}[{position}]",
                f"unknown category {pattern!r} (known: {', '.join(policy.categories)})",
            )
    return patterns


def _answer_conditions(reader: Reader, raw: Any, key: str) -> tuple[AnswerCondition, ...]:
    conditions = []
    for question, spec in reader.any_mapping(raw, key).items():
        spec = reader.mapping(spec, f"{key}.{question}", required=("values", "reason"))
        conditions.append(
            AnswerCondition(
                question=question,
                values=reader.texts(spec["values"], f"{key}.{question}.values"),
                reason=reader.text(spec["reason"], f"{key}.{question}.reason"),
            )
        )
    return tuple(conditions)
