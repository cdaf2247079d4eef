"""Scoring a candidate: each comparison's points and its reason, from the policy's weights."""

from datetime import date
from pathlib import Path

import pytest

from cairn.people.identity import identity_of
from cairn.people.matching_policy import (
    MatchingPolicyError,
    current_matching_policy,
    parse_matching_policy,
)
from cairn.people.scoring import CandidateRecord, name_group, score

POLICY_TEXT = Path("policy/matching.yaml").read_text(encoding="utf-8")


@pytest.fixture
def policy():
    return current_matching_policy()


def morag(**changes) -> CandidateRecord:
    fields = {
        "person_id": 1,
        "names": (("morag", "macleod"),),
        "date_of_birth": date(1979, 5, 14),
        "phones": frozenset({"+447700900123"}),
        "emails": frozenset({"morag@example.org"}),
        "addresses": (("12 leith walk edinburgh", "EH6 5DT"),),
    }
    fields.update(changes)
    return CandidateRecord(**fields)


def test_the_same_details_score_above_the_link_threshold(policy):
    identity = identity_of(name="Morag MacLeod", date_of_birth="1979-05-14", phones=["07700900123"])
    result = score(identity, morag(), policy)
    assert result.score >= policy.link_threshold
    assert "same phone number" in result.reasons
    assert "same date of birth" in result.reasons


def test_a_relative_sharing_the_landline_and_address_is_not_a_match(policy):
    identity = identity_of(
        name="Ewan MacLeod",
        date_of_birth="2008-01-30",
        phones=["07700900123"],
        address="12 Leith Walk, Edinburgh",
        postcode="EH6 5DT",
    )
    result = score(identity, morag(), policy)
    assert result.score < policy.possible_threshold
    assert "first names differ" in result.reasons
    assert "different date of birth" in result.reasons


def test_the_same_name_with_another_birthday_is_a_different_person(policy):
    identity = identity_of(name="Morag MacLeod", date_of_birth="1991-11-02")
    assert (
        score(identity, morag(phones=frozenset(), emails=frozenset()), policy).score
        < policy.possible_threshold
    )


@pytest.mark.parametrize(
    ("name", "born", "reason"),
    [
        ("Morag McLeod", "1979-05-14", "family names differ by a typo"),
        ("MacLeod Morag", "1979-05-14", "same names, written the other way round"),
        ("Morag MacLeod", "1979-14-05", None),  # not a date: ignored, the rest still counts
        ("Morag MacLeod", "1980-05-14", "date of birth a year out"),
    ],
)
def test_corrupted_details_still_point_at_the_person(policy, name, born, reason):
    identity = identity_of(name=name, date_of_birth=born, phones=["07700900123"])
    result = score(identity, morag(), policy)
    assert result.score >= policy.link_threshold
    if reason:
        assert reason in result.reasons


def test_day_and_month_swapped_is_recognised(policy):
    record = morag(date_of_birth=date(1979, 5, 4))
    identity = identity_of(name="Morag MacLeod", date_of_birth="1979-04-05")
    assert "date of birth with day and month swapped" in score(identity, record, policy).reasons


def test_nicknames_count_as_the_same_first_name(policy):
    record = morag(names=(("robert", "brown"),))
    identity = identity_of(name="Bob Brown", phones=["07700900123"])
    result = score(identity, record, policy)
    assert any("go together" in reason for reason in result.reasons)
    assert "bob" in name_group("robert")


def test_aliases_are_compared_too(policy):
    record = morag(names=(("morag", "macleod"), ("morag", "stewart")))
    identity = identity_of(name="Morag Stewart", date_of_birth="1979-05-14")
    assert "same family name" in score(identity, record, policy).reasons


def test_an_unknown_key_in_the_policy_names_itself():
    with pytest.raises(MatchingPolicyError, match=r"given_name\.exactly"):
        parse_matching_policy(POLICY_TEXT.replace("  exact: 4.0", "  exactly: 4.0", 1))


def test_possible_above_link_is_refused():
    with pytest.raises(MatchingPolicyError, match="possible is above"):
        parse_matching_policy(POLICY_TEXT.replace("possible: 9.0", "possible: 99.0"))


def test_swapped_names_with_a_typo_are_still_recognised(policy):
    identity = identity_of(name="Macleoid Morag", phones=["07700900123"])
    assert "same names, written the other way round" in score(identity, morag(), policy).reasons


def test_a_twin_is_never_confident_however_much_else_agrees(policy):
    from cairn.people.matching import rank

    twin = identity_of(
        name="Mairi MacLeod",
        date_of_birth="1979-05-14",
        phones=["07700900123"],
        address="12 Leith Walk Edinburgh",
        postcode="EH6 5DT",
    )
    result = rank(twin, [morag()], policy)
    assert result.confident is None


def test_a_clear_winner_over_a_strong_runner_up_is_linked(policy):
    from cairn.people.matching import rank

    identity = identity_of(
        name="Morag MacLeod", date_of_birth="1979-05-14", emails=["morag@example.org"]
    )
    namesake = morag(person_id=2, emails=frozenset(), phones=frozenset(), addresses=())
    result = rank(identity, [morag(), namesake], policy)
    assert result.confident is not None and result.confident.person_id == 1
    assert [m.person_id for m in result.possible] == [2]
