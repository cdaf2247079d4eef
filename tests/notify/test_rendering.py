"""Templates per language, with English when a language has none."""

import pytest

from cairn.notify.rendering import languages_to_try, render_message

CONTEXT = {"code": "123456", "minutes": 10}


def test_the_english_template_has_a_subject_and_a_body():
    rendered = render_message("verification_code", "en", CONTEXT)
    assert rendered.language == "en"
    assert rendered.subject == "Your code to see your contacts with Police Scotland"
    assert rendered.body.startswith(
        "123456 is your code to see your contacts with Police Scotland."
    )
    assert "10 minutes" in rendered.body
    assert "Subject:" not in rendered.body


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("gd", "Poileas Alba"),  # the force's name in Gàidhlig, from the catalogue
        ("pl", "Kod jest ważny przez 10 minut"),
        ("uk", "Код дійсний 10 хвилин"),
        ("ar", "هو رمزك"),
    ],
)
def test_each_public_language_has_its_own_text(language, words):
    rendered = render_message("verification_code", language, CONTEXT)
    assert rendered.language == language
    assert words in rendered.subject + rendered.body
    assert "123456" in rendered.body


@pytest.mark.parametrize("language", ["fr", "", "zz-ZZ"])
def test_a_language_without_a_template_falls_back_to_english(language):
    rendered = render_message("verification_code", language, CONTEXT)
    assert rendered.language == "en"
    assert rendered.body.startswith("123456 is your code")


def test_a_regional_language_uses_its_base_language():
    assert languages_to_try("pl_PL") == ["pl-pl", "pl", "en"]
    assert render_message("verification_code", "pl-PL", CONTEXT).language == "pl"


def test_text_is_not_html_escaped():
    rendered = render_message("verification_code", "en", {"code": "<b>&'", "minutes": 10})
    assert rendered.body.startswith("<b>&' is your code")
