"""Vulnerability and urgency cues: phrases in the narrative and answers, markers, recent contacts.

Phrases come from ``policy/cues.yaml``, in every supported language, and every
language's phrases are looked for in every contact: people mix languages. Text
and phrases are compared after the same normalisation (compatibility
decomposition, accents and Arabic vowel marks dropped, case folded, apostrophes
and dashes unified), on word boundaries, so "Zabic sie", "zabić się" and
"ZABIĆ SIĘ" all match the phrase "zabić się". The evidence kept is the words as
the person wrote them.

Phrase syntax (checked when the policy loads): words separated by spaces; a
word ending in ``*`` matches any ending ("overdos*": overdose, overdosed);
``{a|b}`` is either word; ``~`` allows up to two words in between ("partner
~ hit*": "my partner has just hit me"). A space or hyphen in a phrase matches
spaces or hyphens in the text.

A phrase inside one of the cue kind's ``exceptions`` ("shotgun certificate",
"safe right now") does not raise it. A cue kind marked ``negatable`` is not
raised by a phrase that follows a negation word closely in the same clause
("there was no knife"). Suicide and self-harm are never negatable: "I am not
going to kill myself" still raises the cue, for the handler to judge (and
dismiss with a note).
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from cairn.triage.facts import ContactFacts, RaisedCue
from cairn.triage.policy import AnswerTrigger, CueKind, Reader

if TYPE_CHECKING:
    from cairn.triage.policy import Policy

EVIDENCE_MAX = 200
GAP_MARK = "~"
NEGATION_WINDOW = 3  # words before a phrase, in the same clause

_FOLD = {
    "\u2019": "'",
    "\u2018": "'",
    "\u02bc": "'",
    "`": "'",
    "\u00b4": "'",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u0142": "l",  # Polish ł: often typed as l
    "\u0649": "\u064a",  # Arabic alef maksura -> yeh
    "\u0629": "\u0647",  # Arabic teh marbuta -> heh
    "\u0640": "",  # Arabic tatweel
}
_WORD_RE = re.compile(r"[\w']+")
_CLAUSE_END_RE = re.compile(r"[.!?;:,\n\u061f\u060c]")
_PHRASE_WORD_RE = re.compile(r"^[\w'-]+\*?$")


@functools.lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    char = _FOLD.get(char, char)
    decomposed = unicodedata.normalize("NFKD", char)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return "".join(_FOLD.get(c, c) for c in kept)


def normalise(text: str) -> tuple[str, list[int] | None]:
    """The text folded for matching, and for each folded character its index in ``text``.

    The index map is None when folding kept every character in place (plain ASCII).
    """
    if text.isascii():
        return text.lower().replace("`", "'"), None
    folded: list[str] = []
    index: list[int] = []
    for position, char in enumerate(text):
        piece = _fold_char(char)
        folded.append(piece)
        index.extend([position] * len(piece))
    return "".join(folded), index


def _word_regex(word: str) -> str:
    if not _PHRASE_WORD_RE.match(word):
        raise ValueError(f"{word!r} is not a word (letters, digits, ' and - only, * at the end)")
    stem, wildcard = (word[:-1], r"\w*") if word.endswith("*") else (word, "")
    pieces = [re.escape(part) for part in normalise(stem)[0].split("-")]
    return r"[\s-]*".join(pieces) + wildcard


_GAP = r"(?:[\w'-]+[\s-]+){0,2}?"
_SEPARATOR = r"[\s-]+"


def _token_regex(token: str) -> str:
    if token.startswith("{") and token.endswith("}"):
        options = token[1:-1].split("|")
        if not all(options):
            raise ValueError(f"{token!r} has an empty choice")
        return "(?:" + "|".join(_word_regex(option) for option in options) + ")"
    return _word_regex(token)


def phrase_regex(phrase: str) -> str:
    """The regular expression (over normalised text) for one phrase of the policy."""
    tokens = phrase.split()
    if not tokens or GAP_MARK in (tokens[0], tokens[-1]):
        raise ValueError("a phrase needs a word, and cannot start or end with ~")
    if any(a == b == GAP_MARK for a, b in itertools.pairwise(tokens)):
        raise ValueError("two ~ in a row")
    pieces = []
    for position, token in enumerate(tokens):
        if token == GAP_MARK:
            pieces.append(_GAP)
            continue
        pieces.append(_token_regex(token))
        if position < len(tokens) - 1:
            pieces.append(_SEPARATOR)
    return "".join(pieces)


def compile_phrases(
    phrases: Mapping[str, Iterable[str]], word_prefixes: Mapping[str, Iterable[str]]
) -> re.Pattern[str] | None:
    """One pattern for every phrase of a cue kind, in every language; None if there are none.

    ``word_prefixes`` are clitics a language writes joined to the next word
    (Arabic و, ب, ال…): a phrase of that language also matches after one.
    """
    alternatives = []
    for language, language_phrases in phrases.items():
        regexes = []
        for phrase in language_phrases:
            try:
                regexes.append(phrase_regex(phrase))
            except ValueError as error:
                raise ValueError(f"{language}: {phrase!r}: {error}") from None
        body = "|".join(regexes)
        if not body:
            continue
        prefixes = sorted(
            {normalise(prefix)[0] for prefix in word_prefixes.get(language, ())},
            key=len,
            reverse=True,
        )
        prefix = "(?:" + "|".join(map(re.escape, prefixes)) + ")?" if prefixes else ""
        alternatives.append(f"{prefix}(?:{body})")
    if not alternatives:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?![\w])")


def _negated(folded: str, start: int, negations: frozenset[str]) -> bool:
    before = folded[max(0, start - 80) : start]
    clause = _CLAUSE_END_RE.split(before)[-1]
    return any(word in negations for word in _WORD_RE.findall(clause)[-NEGATION_WINDOW:])


def _evidence(text: str, index: list[int] | None, start: int, end: int) -> str:
    if index is not None:
        start, end = index[start], index[end - 1] + 1
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1  # marks folded away after the last letter matched
    return " ".join(text[start:end].split())[:EVIDENCE_MAX]


def _find_phrase(
    kind: CueKind, text: str, prepared: tuple[str, list[int] | None], negations: frozenset[str]
) -> str | None:
    folded, index = prepared
    if kind.pattern is None:
        return None
    excepted: list[tuple[int, int]] | None = None
    for match in kind.pattern.finditer(folded):
        if kind.negatable and _negated(folded, match.start(), negations):
            continue
        if kind.exception_pattern is not None:
            if excepted is None:
                excepted = [m.span() for m in kind.exception_pattern.finditer(folded)]
            if any(start < match.end() and match.start() < end for start, end in excepted):
                continue
        return _evidence(text, index, match.start(), match.end())
    return None


def _answer_values(answer: Any) -> list[str]:
    if isinstance(answer, list | tuple | set | frozenset):
        return [str(item) for item in answer]
    return [] if answer is None else [str(answer)]


def _from_answers(kind: CueKind, answers: Mapping[str, Any]) -> Iterable[RaisedCue]:
    for trigger in kind.answers:
        chosen = [v for v in _answer_values(answers.get(trigger.question)) if v in trigger.values]
        if not chosen:
            continue
        if all(
            any(v in wanted for v in _answer_values(answers.get(question)))
            for question, wanted in trigger.when.items()
        ):
            yield RaisedCue(kind.code, f"answers.{trigger.question}", ", ".join(chosen))


def _texts(facts: ContactFacts) -> list[tuple[str, str]]:
    texts = [("narrative", facts.narrative)] if facts.narrative.strip() else []
    narrative = facts.narrative.strip()
    for question, answer in facts.answers.items():
        if isinstance(answer, str) and answer.strip() and answer.strip() != narrative:
            texts.append((f"answers.{question}", answer))
    return texts


def raise_cues(facts: ContactFacts, policy: Policy) -> tuple[RaisedCue, ...]:
    """Every cue the policy raises for these facts, most urgent kind first, once per source."""
    texts = [(source, text, normalise(text)) for source, text in _texts(facts)]
    markers = set(facts.markers)
    raised: dict[tuple[str, str], RaisedCue] = {}
    for kind in policy.cue_kinds.values():
        found: list[RaisedCue] = []
        for source, text, prepared in texts:
            evidence = _find_phrase(kind, text, prepared, policy.negations)
            if evidence:
                found.append(RaisedCue(kind.code, source, evidence))
        found.extend(_from_answers(kind, facts.answers))
        marked = sorted(markers.intersection(kind.markers))
        if marked:
            found.append(RaisedCue(kind.code, "person markers", ", ".join(marked)))
        if kind.recent_contacts is not None:
            found.extend(_from_recent_contacts(kind, facts, policy.lookback_days))
        for cue in found:
            raised.setdefault((cue.kind, cue.source), cue)
    return tuple(raised.values())


def _from_recent_contacts(kind: CueKind, facts: ContactFacts, days: int) -> list[RaisedCue]:
    of, at_least = kind.recent_contacts or ("person", 0)
    if of == "person":
        count, where = facts.recent_contacts_from_person, "from this person"
    else:
        count, where = facts.recent_contacts_at_location, "about this location"
    if count < at_least:
        return []
    plural = "contact" if count == 1 else "contacts"
    return [
        RaisedCue(kind.code, "recent contacts", f"{count} earlier {plural} {where} in {days} days")
    ]


# Reading cues.yaml ----------------------------------------------------------------------------


def _parse_cue_kind(
    reader: Reader, code: str, spec: Any, languages: tuple[str, ...], pathways: Mapping
) -> CueKind:
    key = f"cues.{code}"
    spec = reader.mapping(
        spec,
        key,
        required=("label", "reason", "urgency"),
        optional=(
            "suggests",
            "negatable",
            "phrases",
            "exceptions",
            "answers",
            "markers",
            "recent_contacts",
        ),
    )
    phrases, exceptions = (
        {
            language: reader.texts(items, f"{key}.{name}.{language}")
            for language, items in reader.mapping(
                spec.get(name, {}), f"{key}.{name}", optional=languages
            ).items()
        }
        for name in ("phrases", "exceptions")
    )
    answers = []
    raw_answers = spec.get("answers", [])
    if not isinstance(raw_answers, list):
        raise reader.fail(f"{key}.answers", "expected a list")
    for n, trigger in enumerate(raw_answers):
        where = f"{key}.answers[{n}]"
        trigger = reader.mapping(
            trigger, where, required=("question", "values"), optional=("when",)
        )
        when = reader.any_mapping(trigger.get("when", {}), f"{where}.when")
        answers.append(
            AnswerTrigger(
                question=reader.text(trigger["question"], f"{where}.question"),
                values=reader.texts(trigger["values"], f"{where}.values"),
                when={q: reader.texts(v, f"{where}.when.{q}") for q, v in when.items()},
            )
        )
    recent = None
    if "recent_contacts" in spec:
        where = f"{key}.recent_contacts"
        raw = reader.mapping(spec["recent_contacts"], where, required=("of", "at_least"))
        of = reader.known(raw["of"], f"{where}.of", ("person", "location"), "count")
        recent = (of, reader.integer(raw["at_least"], f"{where}.at_least", 1))
    suggests = spec.get("suggests")
    if suggests is not None:
        reader.known(suggests, f"{key}.suggests", pathways, "pathway")
    return CueKind(
        code=code,
        label=reader.text(spec["label"], f"{key}.label"),
        urgency=reader.integer(spec["urgency"], f"{key}.urgency"),
        suggests=suggests,
        reason=reader.text(spec["reason"], f"{key}.reason"),
        negatable=reader.boolean(spec.get("negatable", False), f"{key}.negatable"),
        phrases=phrases,
        exceptions=exceptions,
        answers=tuple(answers),
        markers=reader.texts(spec.get("markers", []), f"{key}.markers"),
        recent_contacts=recent,
    )


def parse_cues(reader: Reader, raw: Any, pathways: Mapping) -> dict[str, Any]:
    """Read and check ``cues.yaml``: languages, negations, and the cue kinds, phrases compiled."""
    raw = reader.mapping(
        raw, "", required=("languages", "cues"), optional=("negations", "word_prefixes")
    )
    languages = reader.texts(raw["languages"], "languages")
    negations = reader.mapping(raw.get("negations", {}), "negations", optional=languages)
    prefixes = reader.mapping(raw.get("word_prefixes", {}), "word_prefixes", optional=languages)
    prefixes = {lang: reader.texts(v, f"word_prefixes.{lang}") for lang, v in prefixes.items()}
    kinds = []
    for code, spec in reader.any_mapping(raw["cues"], "cues").items():
        kind = _parse_cue_kind(reader, code, spec, languages, pathways)
        patterns = {}
        for name in ("phrases", "exceptions"):
            try:
                patterns[name] = compile_phrases(getattr(kind, name), prefixes)
            except (ValueError, re.error) as error:
                raise reader.fail(f"cues.{code}.{name}", str(error)) from None
        kinds.append(
            replace(kind, pattern=patterns["phrases"], exception_pattern=patterns["exceptions"])
        )
    negation_words = frozenset(
        normalise(word)[0]
        for language, words in negations.items()
        for word in reader.texts(words, f"negations.{language}")
    )
    kinds.sort(key=lambda kind: -kind.urgency)
    return {
        "languages": languages,
        "negations": negation_words,
        "cue_kinds": {kind.code: kind for kind in kinds},
    }
