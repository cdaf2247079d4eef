"""Score one candidate person against a contact's identity: pure, no database.

Each comparison adds or takes away points (weights from policy/matching.yaml)
and says why in plain words, so a handler shown a possible match can see
what agreed and what did not.
"""

from dataclasses import dataclass, field
from datetime import date
from functools import cache

from nicknames import NickNamer
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.fuzz import token_set_ratio

from cairn.people.identity import Identity
from cairn.people.matching_policy import MatchingPolicy

FIRST_NAMES_DIFFER = "first names differ"


@dataclass(frozen=True)
class CandidateRecord:
    """A person as blocking found them, in the normalised form of ``Identity``."""

    person_id: int
    names: tuple[tuple[str, str], ...]  # (given, family), normalised; primary first
    date_of_birth: date | None = None
    phones: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()
    addresses: tuple[tuple[str, str], ...] = ()  # (normalised address, postcode)


@dataclass(frozen=True)
class MatchScore:
    person_id: int
    score: float
    reasons: tuple[str, ...] = field(default=())
    # Twins and siblings agree on everything but the first name: whatever the
    # total, a record whose first name disagrees is for a handler to decide.
    first_names_differ: bool = False


@cache
def _nicknamer() -> NickNamer:
    return NickNamer()


@cache
def name_group(name: str) -> frozenset[str]:
    """A given name with its nicknames and the names it is short for."""
    if not name:
        return frozenset()
    namer = _nicknamer()
    canonicals = namer.canonicals_of(name) | {name}
    group = set(canonicals)
    for canonical in canonicals:
        group |= namer.nicknames_of(canonical)
    return frozenset(group)


def _given(probe: str, known: str, weights: dict[str, float]) -> tuple[float, str]:
    first_probe, first_known = probe.split()[0], known.split()[0]
    if probe == known or first_probe == first_known:
        return weights["exact"], "same first name"
    if first_known in name_group(first_probe):
        return weights["nickname"], f"first names go together ({first_probe} / {first_known})"
    similarity = JaroWinkler.similarity(first_probe, first_known)
    if similarity >= weights["close_similarity"]:
        return weights["close"], "first names differ by a typo"
    if (len(first_probe) == 1 or len(first_known) == 1) and first_probe[0] == first_known[0]:
        return weights["initial"], "first initial agrees"
    if similarity >= weights["near_similarity"]:
        return weights["near"], "first names alike"
    return weights["different"], FIRST_NAMES_DIFFER


def _family(probe: str, known: str, weights: dict[str, float]) -> tuple[float, str]:
    if probe == known:
        return weights["exact"], "same family name"
    # "Smith-Jones" against "Smith": a double-barrelled name shares a part.
    probe_parts, known_parts = set(probe.replace("-", " ").split()), set(known.split())
    similarity = JaroWinkler.similarity(probe, known)
    if similarity >= weights["close_similarity"]:
        return weights["close"], "family names differ by a typo"
    if probe_parts & known_parts or similarity >= weights["near_similarity"]:
        return weights["near"], "family names alike"
    return weights["different"], "family names differ"


def _swapped(identity: Identity, given: str, family: str, policy: MatchingPolicy) -> bool:
    """Given and family written the wrong way round (allowing a typo in each)."""
    close = policy["given_name"]["close_similarity"]
    if JaroWinkler.similarity(identity.given_name, given) >= close:
        return False  # the first names agree as they stand
    return (
        JaroWinkler.similarity(identity.given_name, family) >= close
        and JaroWinkler.similarity(identity.family_name, given) >= close
    )


def _names(identity: Identity, record: CandidateRecord, policy: MatchingPolicy):
    """The best-scoring of the candidate's names (aliases included)."""
    if not identity.given_name or not record.names:
        return 0.0, ()
    best: tuple[float, tuple[str, ...]] | None = None
    for given, family in record.names:
        if not given:
            continue
        if identity.family_name and family and _swapped(identity, given, family, policy):
            option = (policy.swapped_names, ("same names, written the other way round",))
        else:
            points, reason = _given(identity.given_name, given, policy["given_name"])
            reasons = [reason]
            if identity.family_name and family:
                family_points, family_reason = _family(
                    identity.family_name, family, policy["family_name"]
                )
                points += family_points
                reasons.append(family_reason)
            option = (points, tuple(reasons))
        if best is None or option[0] > best[0]:
            best = option
    return best or (0.0, ())


def _date_of_birth(probe: date | None, known: date | None, weights: dict[str, float]):
    if probe is None or known is None:
        return 0.0, None
    if probe == known:
        return weights["exact"], "same date of birth"
    if probe.year == known.year and probe.day == known.month and probe.month == known.day:
        return weights["day_month_swapped"], "date of birth with day and month swapped"
    if (probe.month, probe.day) == (known.month, known.day) and abs(probe.year - known.year) == 1:
        return weights["year_off_by_one"], "date of birth a year out"
    agreeing = (probe.year == known.year) + (probe.month == known.month) + (probe.day == known.day)
    if agreeing == 2:
        return weights["one_part_differs"], "date of birth differs in one part"
    return weights["different"], "different date of birth"


def _identifiers(probe: tuple[str, ...], known: frozenset[str], weights, what: str):
    if not probe or not known:
        return 0.0, None
    if known.intersection(probe):
        return weights["same"], f"same {what}"
    return weights["different"], f"different {what}"


def _place(identity: Identity, record: CandidateRecord, policy: MatchingPolicy):
    points, reasons = 0.0, []
    postcodes = {postcode for _, postcode in record.addresses if postcode}
    if identity.postcode and postcodes:
        weights = policy["postcode"]
        district = identity.postcode.split(" ")[0]
        if identity.postcode in postcodes:
            points += weights["same"]
            reasons.append("same postcode")
        elif any(postcode.split(" ")[0] == district for postcode in postcodes):
            points += weights["same_district"]
            reasons.append("same postcode district")
    addresses = [address for address, _ in record.addresses if address]
    if identity.address and addresses:
        weights = policy["address"]
        ratio = max(token_set_ratio(identity.address, address) for address in addresses)
        if ratio >= weights["same_ratio"]:
            points += weights["same"]
            reasons.append("same address")
        elif ratio >= weights["similar_ratio"]:
            points += weights["similar"]
            reasons.append("similar address")
    return points, reasons


def score(identity: Identity, record: CandidateRecord, policy: MatchingPolicy) -> MatchScore:
    """How strongly the evidence says the identity is this candidate, and why."""
    total, reasons = _names(identity, record, policy)
    reasons = list(reasons)
    for points, reason in (
        _date_of_birth(identity.date_of_birth, record.date_of_birth, policy["date_of_birth"]),
        _identifiers(identity.phones, record.phones, policy["phone"], "phone number"),
        _identifiers(identity.emails, record.emails, policy["email"], "email address"),
    ):
        total += points
        if reason:
            reasons.append(reason)
    place_points, place_reasons = _place(identity, record, policy)
    return MatchScore(
        record.person_id,
        round(total + place_points, 2),
        (*reasons, *place_reasons),
        first_names_differ=FIRST_NAMES_DIFFER in reasons,
    )
