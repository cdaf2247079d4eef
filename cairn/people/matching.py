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

# One arm per blocking key the identity has; the statement holds only those
# arms, so planning it costs what the identity needs. Priority orders the cut
# at max_candidates: whoever shares a phone or email comes before the people
# born that day or living at that postcode, however many of those there are.
BLOCKS = {
    "phones": "SELECT person_id, 1 AS priority FROM people_identifier"
    " WHERE kind = 'phone' AND value = ANY(%(phones)s)",
    "emails": "SELECT person_id, 1 FROM people_identifier"
    " WHERE kind = 'email' AND value = ANY(%(emails)s)",
    "births": "SELECT p.id, 2 FROM people_person p"
    " JOIN people_personname n ON n.person_id = p.id"
    " WHERE p.date_of_birth = ANY(%(births)s) AND p.merged_into_id IS NULL"
    " AND similarity(n.normalised, %(name)s) >= %(name_similarity)s",
    "postcode": "SELECT a.person_id, 3 FROM people_personaddress a"
    " JOIN people_personname n ON n.person_id = a.person_id"
    " WHERE a.postcode = %(postcode)s AND a.postcode <> ''"
    " AND similarity(n.normalised, %(name)s) >= %(name_similarity)s",
}

RECORDS_SQL = """
WITH found (person_id, priority) AS ({arms}),
candidate AS (
    SELECT person_id, min(priority) AS priority FROM found GROUP BY person_id
    ORDER BY min(priority), person_id LIMIT %(limit)s
)
SELECT p.id, p.date_of_birth,
       ARRAY(SELECT n.given_name || '|' || n.family_name FROM people_personname n
              WHERE n.person_id = p.id ORDER BY n.kind <> 'primary', n.id),
       ARRAY(SELECT i.kind || ':' || i.value FROM people_identifier i WHERE i.person_id = p.id),
       ARRAY(SELECT a.normalised || '|' || a.postcode
               FROM people_personaddress a WHERE a.person_id = p.id)
  FROM candidate c JOIN people_person p ON p.id = c.person_id
 WHERE p.merged_into_id IS NULL
"""


def blocking_parameters(identity: Identity, policy: MatchingPolicy) -> dict:
    """The values ``candidates_sql`` takes."""
    blocking = policy["blocking"]
    return {
        "phones": list(identity.phones),
        "emails": list(identity.emails),
        "births": birth_dates_to_block(identity.date_of_birth),
        "postcode": identity.postcode,
        "name": identity.full_name,
        "name_similarity": blocking["name_similarity"],
        "limit": int(blocking["max_candidates"]),
    }


def candidates_sql(identity: Identity) -> str | None:
    """The blocking statement for the keys this identity has (None: it has none)."""
    named = bool(identity.full_name)
    wanted = [
        key
        for key, present in (
            ("phones", identity.phones),
            ("emails", identity.emails),
            ("births", named and identity.date_of_birth),
            ("postcode", named and identity.postcode),
        )
        if present
    ]
    if not wanted:
        return None
    return RECORDS_SQL.format(arms=" UNION ALL ".join(BLOCKS[key] for key in wanted))


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
    identity: Identity, policy: MatchingPolicy | None = None
) -> list[CandidateRecord]:
    """The people who share a blocking key with the identity (at most max_candidates)."""
    policy = policy or current_matching_policy()
    if identity.is_empty():
        return []
    sql = candidates_sql(identity)
    if sql is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, blocking_parameters(identity, policy))
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
    """Find and score the candidates for one identity: the online lookup."""
    policy = policy or current_matching_policy()
    return rank(identity, find_candidates(identity, policy), policy)
