"""The exact rules and Cairn's matcher, each answering every probe with a person or no link.

Both see the same data the same way: a probe is turned into an ``Identity``
by ``cairn.people.identity.identity_of`` (names folded, phones E.164), and
the master's names are compared in the form ``PersonName.normalised`` holds.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

from bench.people_synth import Probe, QualityDataset, Record
from cairn.people.identity import Identity, identity_of, normalise_email, normalise_name
from cairn.people.matching_policy import MatchingPolicy


def identity_of_record(record: Record) -> Identity:
    return identity_of(
        given_name=record.given_name,
        family_name=record.family_name,
        date_of_birth=record.date_of_birth,
        phones=record.phones,
        emails=record.emails,
        address=record.address,
        postcode=record.postcode,
    )


@dataclass
class Links:
    """One linker's answers: probe_id -> person_id, or None for no link."""

    name: str
    answers: dict[int, int | None]
    seconds: float = 0.0
    notes: dict[str, object] = field(default_factory=dict)


def exact_links(dataset: QualityDataset) -> Links:
    """Same phone or email AND same normalised full name; or same full name AND same date of
    birth. Any of the master's names counts (aliases too). A probe the rules tie to more than
    one person gets no link (counted as ambiguous)."""
    started = time.perf_counter()
    by_name: dict[str, set[int]] = defaultdict(set)
    for person_id, record in dataset.master.items():
        for given, family in ((record.given_name, record.family_name), *record.aliases):
            by_name[normalise_name(given, family)].add(person_id)
    phones = {pid: set(record.phones) for pid, record in dataset.master.items()}
    emails = {
        pid: {normalise_email(email) for email in record.emails}
        for pid, record in dataset.master.items()
    }
    answers: dict[int, int | None] = {}
    ambiguous = 0
    for probe in dataset.probes:
        identity = identity_of_record(probe.record)
        found = {
            person_id
            for person_id in by_name.get(identity.full_name, ())
            if phones[person_id].intersection(identity.phones)
            or emails[person_id].intersection(identity.emails)
            or (
                identity.date_of_birth is not None
                and dataset.master[person_id].date_of_birth == identity.date_of_birth
            )
        }
        ambiguous += len(found) > 1
        answers[probe.probe_id] = found.pop() if len(found) == 1 else None
    return Links("exact rules", answers, time.perf_counter() - started, {"ambiguous": ambiguous})


@dataclass
class Possible:
    """What Cairn would put in front of a handler instead of linking."""

    probes: int = 0  # probes with no confident link and at least one possible match
    with_truth: int = 0  # ... among whose possible matches is the true person
    truth_in_master: int = 0  # ... of those probes, how many have their person in the master
    offered: int = 0  # possible matches shown over all those probes


def cairn_links(
    dataset: QualityDataset, schema: str, policy: MatchingPolicy, source: str = ""
) -> Links:
    """``match_identity`` for every probe, against the master loaded in ``schema``."""
    from bench.matching.store import people_tables_in
    from cairn.people.matching import match_identity

    answers: dict[int, int | None] = {}
    possible = Possible()
    scored = 0
    started = time.perf_counter()
    with people_tables_in(schema):
        for probe in dataset.probes:
            result = match_identity(identity_of_record(probe.record), policy)
            scored += result.candidates_scored
            answers[probe.probe_id] = result.confident.person_id if result.confident else None
            if result.confident is None and result.possible:
                _count_possible(possible, probe, [m.person_id for m in result.possible])
        seconds = time.perf_counter() - started
        blocked, nothing_to_block_on = _blocking_reach(dataset, policy)
    return Links(
        "Cairn matcher",
        answers,
        seconds,
        {
            "possible": possible,
            "blocked": blocked,
            "nothing_to_block_on": nothing_to_block_on,
            "candidates_scored": scored,
            "policy": f"{source or 'policy/matching.yaml'} {policy.digest[:12]}, link ≥ "
            f"{policy.link_threshold:g}, possible ≥ {policy.possible_threshold:g}",
        },
    )


def _blocking_reach(dataset: QualityDataset, policy: MatchingPolicy) -> tuple[int, int]:
    """Of the probes whose person is in the master: for how many blocking finds that person
    among the candidates (the ceiling of any scoring's recall), and how many give nothing
    blocking can use (a name alone)."""
    from cairn.people.matching import find_candidates

    blocked = nothing = 0
    for probe in dataset.probes:
        if probe.link is None:
            continue
        identity = identity_of_record(probe.record)
        nothing += identity.is_empty()
        candidates = find_candidates(identity, policy)
        blocked += any(record.person_id == probe.link for record in candidates)
    return blocked, nothing


def _count_possible(possible: Possible, probe: Probe, offered: list[int]) -> None:
    possible.probes += 1
    possible.offered += len(offered)
    possible.truth_in_master += probe.link is not None
    possible.with_truth += probe.link is not None and probe.link in offered
