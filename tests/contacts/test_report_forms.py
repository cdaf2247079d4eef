"""The form definitions in policy/forms/: every one loads, complete, and mistakes fail loudly."""

import re
import shutil
from pathlib import Path

import pytest
import yaml

from cairn.contacts.report_forms import FORMS_DIR, FormDefinitionError, load_forms
from cairn.contacts.report_loader import load_forms_from

LANGUAGES = ("en", "gd", "pl", "uk", "ar")
REQUIRED_TYPES = {
    "theft",
    "criminal-damage",
    "assault",
    "fraud",
    "hate-crime",
    "anti-social-behaviour",
    "road-traffic",
    "lost-property",
    "found-property",
    "contact-us",
}
SCRIPTS = {"uk": re.compile(r"[А-Яа-яІіЇїЄєҐґ]"), "ar": re.compile(r"[\u0600-\u06ff]")}


def every_text(form):
    """(where, texts) for each human string in a form, shared messages included."""
    yield "title", form.titles
    yield "description", form.descriptions
    for question in form.questions:
        yield f"{question.id} label", question.labels
        if question.hints:
            yield f"{question.id} hint", question.hints
        for option in question.options:
            yield f"{question.id} option {option.value}", option.labels
        for key, texts in question.errors.items():
            yield f"{question.id} error {key}", texts
        for key, texts in question.messages.items():
            yield f"message {key}", texts


def test_every_report_type_the_service_offers_is_defined():
    assert set(load_forms()) == REQUIRED_TYPES


def test_every_definition_has_a_category_a_title_and_a_version():
    for form in load_forms().values():
        assert re.match(r"^[a-z_]+(\.[a-z_]+)*$", form.category)
        assert form.title("en")
        assert re.match(r"^[0-9a-f]{16}$", form.version)


def test_crimes_are_in_the_crime_category():
    forms = load_forms()
    crimes = {"theft", "criminal-damage", "assault", "fraud", "hate-crime"}
    assert {slug for slug, form in forms.items() if form.category.startswith("crime.")} == crimes


@pytest.mark.parametrize("slug", sorted(REQUIRED_TYPES))
def test_every_human_string_is_given_in_all_five_languages(slug):
    for where, texts in every_text(load_forms()[slug]):
        assert set(texts) == set(LANGUAGES), where
        assert all(texts[code].strip() for code in LANGUAGES), where


@pytest.mark.parametrize("slug", sorted(REQUIRED_TYPES))
def test_translations_are_really_translated(slug):
    for where, texts in every_text(load_forms()[slug]):
        for code in ("gd", "pl", "uk", "ar"):
            if not re.fullmatch(r"[\d£,\s\-–]+", texts["en"]):  # "£100" reads the same
                assert texts[code] != texts["en"], f"{where} in {code} is the English"
        for code, script in SCRIPTS.items():
            assert script.search(texts[code]), f"{where} in {code} is not in its script"


def test_a_question_asks_in_the_language_asked_for():
    question = load_forms()["theft"].question("stolen_items")
    assert question.label("en") == "What was stolen?"
    assert question.label("gd") == "Dè chaidh a ghoid?"
    assert question.label("ar") == "ما الذي سُرق؟"
    assert question.label("fr") == "What was stolen?"  # falls back to English


def test_forms_that_allow_anonymous_reports_ask_for_identity_only_when_named():
    for form in load_forms().values():
        anonymity = form.question_for("anonymous")
        assert bool(anonymity) == form.anonymous_allowed
        for field in ("reporter_name", "preferred_contact"):
            if anonymity and form.question_for(field):
                assert form.question_for(field).show_if == {anonymity.id: ("named",)}


def test_lost_property_and_contact_us_need_a_name():
    forms = load_forms()
    for slug in ("lost-property", "found-property", "contact-us"):
        assert not forms[slug].anonymous_allowed
        assert forms[slug].question_for("reporter_name").required


def test_a_block_override_changes_the_question_in_that_form_only():
    forms = load_forms()
    assert forms["lost-property"].question("where_address").label("en") == (
        "Where do you think you lost it?"
    )
    assert forms["theft"].question("where_address").label("en") == "Where did it happen?"


def test_load_forms_is_cached_and_callers_cannot_change_it():
    first = load_forms()
    first.pop("theft")
    assert "theft" in load_forms()
    assert load_forms()["fraud"] is load_forms()["fraud"]


# A broken definition stops start-up, naming the file and the question.


@pytest.fixture
def forms_dir(tmp_path) -> Path:
    target = tmp_path / "forms"
    shutil.copytree(FORMS_DIR, target)
    return target


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def fails_with(directory: Path, *fragments: str) -> str:
    with pytest.raises(FormDefinitionError) as raised:
        load_forms_from(directory)
    message = str(raised.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_the_copied_definitions_load(forms_dir):
    assert set(load_forms_from(forms_dir)) == REQUIRED_TYPES


def test_a_missing_translation_names_the_file_the_question_and_the_language(forms_dir):
    edit(forms_dir / "theft.yaml", lambda d: d["questions"][0]["label"].pop("gd"))
    fails_with(forms_dir, "theft.yaml", "'stolen_items'", "label", "gd")


def test_an_empty_translation_fails(forms_dir):
    edit(forms_dir / "fraud.yaml", lambda d: d["questions"][0]["label"].update(ar="  "))
    fails_with(forms_dir, "fraud.yaml", "'fraud_type'", "ar")


def test_a_misspelt_key_fails(forms_dir):
    edit(forms_dir / "theft.yaml", lambda d: d["questions"][0].update(requried=True))
    fails_with(forms_dir, "theft.yaml", "'stolen_items'", "requried")


def test_an_unknown_question_type_fails(forms_dir):
    edit(forms_dir / "assault.yaml", lambda d: d["questions"][0].update(type="slider"))
    fails_with(forms_dir, "assault.yaml", "'victim'", "slider")


def test_show_if_on_a_later_question_fails(forms_dir):
    edit(forms_dir / "fraud.yaml", lambda d: d["questions"][0].update(show_if={"bank_told": "no"}))
    fails_with(forms_dir, "fraud.yaml", "'fraud_type'", "'bank_told'", "not an earlier question")


def test_show_if_with_an_answer_the_question_does_not_offer_fails(forms_dir):
    edit(forms_dir / "fraud.yaml", lambda d: d["questions"][2].update(show_if={"money_lost": "y"}))
    fails_with(forms_dir, "fraud.yaml", "'amount_lost'", "['y']")


def test_an_unquoted_yes_in_show_if_fails_with_advice(forms_dir):
    text = (forms_dir / "fraud.yaml").read_text(encoding="utf-8")
    (forms_dir / "fraud.yaml").write_text(text.replace('money_lost: "yes"', "money_lost: yes"))
    fails_with(forms_dir, "fraud.yaml", "'amount_lost'", "quote")


def test_an_unknown_block_fails(forms_dir):
    edit(forms_dir / "theft.yaml", lambda d: d["questions"].append({"block": "where_exactly"}))
    fails_with(forms_dir, "theft.yaml", "where_exactly")


def test_a_duplicate_question_id_fails(forms_dir):
    edit(forms_dir / "theft.yaml", lambda d: d["questions"].append({"block": "where"}))
    fails_with(forms_dir, "theft.yaml", "'where_address'", "already used")


def test_identity_asked_even_when_anonymous_fails(forms_dir):
    def unconditional_name(data):
        data["blocks"]["about_you"][0]["show_if"] = {}
        data["blocks"]["about_you_or_anonymous"][1].pop("show_if")

    edit(forms_dir / "_blocks.yaml", unconditional_name)
    fails_with(forms_dir, ".yaml: question 'reporter_name'", "'reporting_as'")


def test_an_answer_longer_than_its_contact_field_fails(forms_dir):
    def long_name(data):
        data["blocks"]["about_you"][0]["max_length"] = 5000

    edit(forms_dir / "_blocks.yaml", long_name)
    fails_with(forms_dir, "'reporter_name'", "longer than reporter_name takes")


def test_a_slug_that_is_not_the_file_name_fails(forms_dir):
    edit(forms_dir / "theft.yaml", lambda d: d.update(slug="thefts"))
    fails_with(forms_dir, "theft.yaml", "thefts")


def test_anonymous_allowed_without_the_anonymity_question_fails(forms_dir):
    edit(forms_dir / "contact-us.yaml", lambda d: d.update(anonymous_allowed=True))
    fails_with(forms_dir, "contact-us.yaml", "anonymous_allowed")


def test_a_form_without_a_narrative_fails(forms_dir):
    def no_narrative(data):
        data["questions"] = [q for q in data["questions"] if q.get("block") != "what"]

    edit(forms_dir / "theft.yaml", no_narrative)
    fails_with(forms_dir, "theft.yaml", "narrative")


def test_a_missing_shared_message_fails(forms_dir):
    edit(forms_dir / "_messages.yaml", lambda d: d["messages"].pop("date_future"))
    fails_with(forms_dir, "_messages.yaml", "date_future")


def test_a_message_that_loses_its_number_fails(forms_dir):
    edit(forms_dir / "_messages.yaml", lambda d: d["messages"]["too_long"].update(pl="Za długo"))
    fails_with(forms_dir, "_messages.yaml", "too_long", "pl")


def test_a_file_that_is_not_yaml_fails(forms_dir):
    (forms_dir / "theft.yaml").write_text("slug: theft\nquestions: [\n", encoding="utf-8")
    fails_with(forms_dir, "theft.yaml", "YAML")


def test_a_changed_block_changes_every_form_version_that_uses_it(forms_dir):
    before = load_forms_from(forms_dir)
    edit(forms_dir / "_blocks.yaml", lambda d: d["blocks"]["where"][0].update(max_length=300))
    after = load_forms_from(forms_dir)
    assert after["theft"].version != before["theft"].version
    assert after["contact-us"].version == before["contact-us"].version
