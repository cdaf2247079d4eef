"""The password rules (OWASP ASVS V2.1): length 12 to 128, no common passwords, no composition."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError


def refusal_codes(password: str) -> set[str]:
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    return {error.code for error in refused.value.error_list}


def test_an_eleven_character_password_is_refused():
    assert "password_too_short" in refusal_codes("lanternmoss")


def test_a_twelve_character_password_is_accepted():
    validate_password("lanternmossy")


def test_a_128_character_password_is_accepted():
    validate_password("heather-glen " * 9 + "x" * 11)


def test_a_129_character_password_is_refused():
    assert "password_too_long" in refusal_codes("heather-glen " * 9 + "x" * 12)


def test_a_common_password_is_refused():
    assert "password_too_common" in refusal_codes("password1234")


def test_no_composition_rule_applies_to_an_all_lower_case_password():
    validate_password("quietriverstones")
