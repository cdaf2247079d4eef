"""Precision, recall and F1 of each linker's answers against the truth, with where they fail.

A probe's answer is a link (to a person) or no link. Against the truth:
a link to the true person is a true positive; a link to anyone else is a
false positive (and, when the probe's person is in the master, a false
negative too); no link for a probe whose person is in the master is a false
negative. Precision = TP / links, recall = TP / probes whose person is in the
master.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.matching.linkers import Links
from bench.people_synth import CORRUPTIONS, NEGATIVE_KINDS, QualityDataset


@dataclass(frozen=True)
class Scores:
    links: int
    correct: int
    in_master: int

    @property
    def precision(self) -> float:
        return self.correct / self.links if self.links else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.in_master if self.in_master else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def scores(dataset: QualityDataset, answers: dict[int, int | None]) -> Scores:
    links = correct = in_master = 0
    for probe in dataset.probes:
        answer = answers.get(probe.probe_id)
        in_master += probe.link is not None
        if answer is not None:
            links += 1
            correct += answer == probe.link
    return Scores(links, correct, in_master)


@dataclass
class Breakdown:
    """Per corruption kind, the recall; per kind of probe outside the master, the false links."""

    recall: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (found, probes)
    false_links: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (linked, n)
    wrong_person: int = 0  # probes in the master linked to someone else


def breakdown(dataset: QualityDataset, answers: dict[int, int | None]) -> Breakdown:
    result = Breakdown()
    for kind in ("none", *CORRUPTIONS):
        found = total = 0
        for probe in dataset.probes:
            if probe.link is None:
                continue
            if (kind == "none" and not probe.corruptions) or kind in probe.corruptions:
                total += 1
                found += answers.get(probe.probe_id) == probe.link
        result.recall[kind] = (found, total)
    for kind in NEGATIVE_KINDS:
        members = [probe for probe in dataset.probes if probe.negative == kind]
        linked = sum(answers.get(probe.probe_id) is not None for probe in members)
        result.false_links[kind] = (linked, len(members))
    result.wrong_person = sum(
        1
        for probe in dataset.probes
        if probe.link is not None and answers.get(probe.probe_id) not in (None, probe.link)
    )
    return result


def splink_at(dataset: QualityDataset, best: dict[int, tuple[int, float]], threshold: float):
    """splink's scores had its links been cut at another match probability."""
    answers = {probe_id: person_id for probe_id, (person_id, p) in best.items() if p >= threshold}
    return scores(dataset, answers)


def best_threshold(dataset: QualityDataset, best: dict[int, tuple[int, float]]):
    """(F1, threshold): splink's best F1 over every cut of its probabilities. It is picked
    with the truth, which no linker has in use: an upper bound, for comparison only."""
    truth = {probe.probe_id: probe.link for probe in dataset.probes}
    in_master = sum(link is not None for link in truth.values())
    ranked = sorted(best.items(), key=lambda item: -item[1][1])
    top = (0.0, 1.0)
    correct = 0
    for links, (probe_id, (person_id, probability)) in enumerate(ranked, start=1):
        correct += truth.get(probe_id) == person_id
        following = ranked[links][1][1] if links < len(ranked) else None
        if following != probability:
            top = max(top, (2 * correct / (links + in_master), probability))
    return top


@dataclass
class QualityResult:
    master: int
    probes: int
    in_master: int
    negatives: dict[str, int]
    linkers: list[Links]
    scores: dict[str, Scores]
    breakdowns: dict[str, Breakdown]
    load_seconds: float = 0.0
    generate_seconds: float = 0.0
    dataset: QualityDataset | None = None


def evaluate(dataset: QualityDataset, linkers: list[Links]) -> QualityResult:
    negatives = dict.fromkeys(NEGATIVE_KINDS, 0)
    for probe in dataset.probes:
        if probe.negative:
            negatives[probe.negative] += 1
    return QualityResult(
        master=len(dataset.master),
        probes=len(dataset.probes),
        in_master=sum(probe.link is not None for probe in dataset.probes),
        negatives=negatives,
        linkers=linkers,
        scores={links.name: scores(dataset, links.answers) for links in linkers},
        breakdowns={links.name: breakdown(dataset, links.answers) for links in linkers},
        dataset=dataset,
    )
