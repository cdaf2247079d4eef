"""Find the person a contact's reporter already is: block in PostgreSQL, score in Python.

Blocking only ever reads through an index with equality: the same phone
number or email address, a date of birth (as given, with day and month
swapped, or a year either side) or a postcode, the last two only for
people whose name is trigram-similar (``pg_trgm``) to the one given. A
name alone never blocks: at a million people a name's trigram index scan
costs several milliseconds and returns everyone called John Smith, who are
not evidence of anything. The candidates, at most ``max_candidates``, come
back with all their names, identifiers and addresses in the same statement,
and ``cairn.people.scoring`` weighs them.
"""

from dataclasses import dataclass
from datetime import date

from django.db import connection

from cairn.people.identity import Identity, fold
from cairn.people.matching_policy import MatchingPolicy, current_matching_policy
from cairn.people.scoring import CandidateRecord, MatchScore, score

# The blocking query itself is the PL/pgSQL function people_match_candidates
# (cairn/people/candidates_function.py, migration people/0003): its plan is
# kept for the session. Priority orders the cut at max_candidates: whoever
# shares a phone or email comes before the people born that day or living at
# that postcode, however many of those there are.
CANDIDATES_SQL = (
    "SELECT * FROM people_match_candidates(%(phones)s::text[], %(emails)s::text[],"
    " %(births)s::date[], %(postcode)s, %(name)s, %(name_similarity)s::real, %(limit)s)"
)


def blocking_parameters(
    identity: Identity, policy: MatchingPolicy, *, identifiers_only: bool = False
) -> dict:
    """The values ``candidates_sql`` takes. Birth dates and postcode block only
    with a name to compare (a bare date of birth is no evidence of anyone)."""
    blocking = policy["blocking"]
    named = bool(identity.full_name) and not identifiers_only
    return {
        "phones": list(identity.phones),
        "emails": list(identity.emails),
        "births": birth_dates_to_block(identity.date_of_birth) if named else [],
        "postcode": identity.postcode if named else "",
        "name": identity.full_name,
        "name_similarity": blocking["name_similarity"],
        "limit": int(blocking["max_candidates"]),
    }


def candidates_sql(identity: Identity) -> str | None:
    """The blocking call for this identity (None: it has nothing to block on)."""
    if not (identity.phones or identity.emails or identity.full_name):
        return None
    return CANDIDATES_SQL


@dataclass(frozen=True)
class MatchResult:
    confident: MatchScore | None  # link automatically
    possible: tuple[MatchScore, ...]  # show the handler, best first
    candidates_scored: int


def birth_dates_to_block(born: date | None) -> list[date]:
    """The date as given, day and month swapped, and the same day a year either side."""
    if born is None:
        return []
    dates = [born]
    if born.day <= 12 and born.day != born.month:
        dates.append(date(born.year, born.day, born.month))
    for year in (born.year - 1, born.year + 1):
        try:
            dates.append(born.replace(year=year))
        except ValueError:  # 29 February
            dates.append(born.replace(year=year, day=28))
    return dates


def _folded_name(stored: str) -> tuple[str, str]:
    given, _, family = stored.partition("|")
    return fold(given), fold(family)


def _record(row) -> CandidateRecord:
    person_id, born, names, identifiers, addresses = row
    phones = frozenset(value[6:] for value in identifiers if value.startswith("phone:"))
    emails = frozenset(value[6:] for value in identifiers if value.startswith("email:"))
    return CandidateRecord(
        person_id=person_id,
        names=tuple(_folded_name(name) for name in names),
        date_of_birth=born,
        phones=phones,
        emails=emails,
        addresses=tuple(tuple(address.rsplit("|", 1)) for address in addresses),
    )


def find_candidates(
    identity: Identity, policy: MatchingPolicy | None = None, *, identifiers_only: bool = False
) -> list[CandidateRecord]:
    """The people who share a blocking key with the identity (at most max_candidates);
    ``identifiers_only``: only those sharing a phone number or email address."""
    policy = policy or current_matching_policy()
    if identity.is_empty():
        return []
    sql = candidates_sql(identity)
    if sql is None:
        return []
    parameters = blocking_parameters(identity, policy, identifiers_only=identifiers_only)
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return [_record(row) for row in cursor.fetchall()]


def rank(identity: Identity, records: list[CandidateRecord], policy: MatchingPolicy) -> MatchResult:
    """Score the candidates; a confident match must also clearly beat the runner-up."""
    scored = sorted(
        (score(identity, record, policy) for record in records),
        key=lambda match: (-match.score, match.person_id),
    )
    # With no name given (a text message, a withheld-name call) the number or
    # address is all the evidence there is: whoever holds it is worth showing.
    floor = policy.possible_threshold if identity.full_name else policy.nameless_threshold
    above = [match for match in scored if match.score >= floor]
    confident = None
    best = above[0] if above else None
    if best and best.score >= policy.link_threshold and not best.first_names_differ:
        runner_up = above[1].score if len(above) > 1 else None
        # Two people who both fit well (a father and son with one name at one
        # address) are for the handler to tell apart, unless one clearly wins.
        if (
            runner_up is None
            or runner_up < policy.link_threshold
            or (best.score - runner_up >= policy.link_margin)
        ):
            confident = best
    possible = tuple(match for match in above if match is not confident)
    return MatchResult(confident=confident, possible=possible, candidates_scored=len(scored))


def match_identity(identity: Identity, policy: MatchingPolicy | None = None) -> MatchResult:
    """Find and score the candidates for one identity: the online lookup.

    With a phone number or email address, the people holding it are looked
    at first: most contacts come from someone who has been in touch before
    with the same number, and when one of them is a confident match the
    wider blocks (date of birth, postcode) are not needed. Otherwise, or
    when nobody holds it, every block is searched.
    """
    policy = policy or current_matching_policy()
    if identity.phones or identity.emails:
        first = rank(identity, find_candidates(identity, policy, identifiers_only=True), policy)
        if first.confident is not None:
            return first
    return rank(identity, find_candidates(identity, policy), policy)
