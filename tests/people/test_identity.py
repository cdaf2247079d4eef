"""Normalising identity details: what matching compares."""

from datetime import date

import pytest

from cairn.people.identity import (
    fold,
    identity_of,
    normalise_email,
    normalise_name,
    normalise_phone,
    split_full_name,
    split_typed_name,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Siobhán O'Neill", "siobhan oneill"),
        ("  ANNA-MARIA  ", "anna maria"),
        ("Łukasz Wiśniewski", "lukasz wisniewski"),
    ],
)
def test_fold_lowers_and_drops_accents_and_punctuation(typed, expected):
    assert fold(typed) == expected


@pytest.mark.parametrize(
    ("full", "typed", "normalised"),
    [
        ("Dr Mary de la Cruz", ("Mary", "de la Cruz"), ("mary", "de la cruz")),
        ("MacLeod, Morag", ("Morag", "MacLeod"), ("morag", "macleod")),
        ("Cher", ("Cher", ""), ("cher", "")),
        ("Mr", ("", ""), ("", "")),
        ("John Paul Jones", ("John Paul", "Jones"), ("john paul", "jones")),
    ],
)
def test_split_names_keeps_typed_case_and_drops_titles(full, typed, normalised):
    assert split_typed_name(full) == typed
    assert split_full_name(full) == normalised


def test_phone_numbers_become_e164_and_bad_ones_empty():
    assert normalise_phone("07700 900123") == "+447700900123"
    assert normalise_phone("+44 (0)131 496 0000") == "+441314960000"
    assert normalise_phone("12") == ""
    assert normalise_phone("not a number") == ""


def test_emails_lower_case_and_invalid_ones_empty():
    assert normalise_email("  Morag@Example.ORG ") == "morag@example.org"
    assert normalise_email("morag at example") == ""


def test_identity_of_normalises_everything_and_drops_duplicates():
    identity = identity_of(
        name="Morag MacLeod",
        date_of_birth="1979-05-14",
        phones=["07700 900123", "+447700900123", "rubbish"],
        emails=["M@Example.org"],
        address="12, Leith Walk",
        postcode=" eh6 5dt ",
    )
    assert identity.given_name == "morag"
    assert identity.family_name == "macleod"
    assert identity.date_of_birth == date(1979, 5, 14)
    assert identity.phones == ("+447700900123",)
    assert identity.emails == ("m@example.org",)
    assert identity.address == "12 leith walk"
    assert identity.postcode == "EH6 5DT"


def test_a_name_alone_is_nothing_to_match_on():
    assert identity_of(name="John Smith").is_empty()
    assert not identity_of(name="John Smith", postcode="EH6 5DT").is_empty()
    assert not identity_of(phones=["07700 900123"]).is_empty()


def test_normalise_name_is_given_then_family():
    assert normalise_name("Morag", "MacLeod") == "morag macleod"
