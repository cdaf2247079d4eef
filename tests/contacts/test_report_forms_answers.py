"""Checking one answer, in the person's language; and show_if navigation; and to_submission."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from cairn.contacts.report_forms import (
    first_problem,
    first_unanswered,
    load_forms,
    next_question,
    previous_question,
    to_submission,
    validate_answer,
    visible_questions,
)
from tests.portal.test_reporting_support import complete_answers

FORMS = load_forms()
THEFT = FORMS["theft"]


def check(form_slug: str, question_id: str, raw, language: str = "en"):
    return validate_answer(FORMS[form_slug].question(question_id), raw, language)


def shown(form, answers) -> list[str]:
    return [question.id for question in visible_questions(form, answers)]


# Text


def test_a_required_answer_left_empty_gets_the_question_s_own_message_in_each_language():
    messages = {
        "en": "Tell us what was stolen",
        "gd": "Innis dhuinn dè chaidh a ghoid",
        "pl": "Napisz, co zostało skradzione",
        "uk": "Вкажіть, що вкрали",
        "ar": "أخبرنا بما سُرق",
    }
    for language, message in messages.items():
        assert check("theft", "stolen_items", "  \n ", language) == (None, message)


def test_without_its_own_message_a_question_gets_the_shared_one():
    assert check("fraud", "fraud_type", "", "pl") == (None, "Wybierz odpowiedź")


def test_an_optional_answer_left_empty_is_kept_as_empty():
    assert check("theft", "where_address", "   ") == ("", None)


def test_a_line_of_text_is_trimmed_and_spaces_collapsed():
    assert check("theft", "where_address", "  12  High\tStreet \n") == ("12 High Street", None)


def test_a_long_answer_keeps_its_line_breaks():
    assert check("theft", "what_happened", "First.\r\nThen.\r\n") == ("First.\nThen.", None)


@pytest.mark.parametrize("raw", ["bad\x00byte", "bell\x07", "escape\x1b[0m"])
def test_control_characters_are_refused(raw):
    value, error = check("theft", "what_happened", raw)
    assert value is None
    assert error.startswith("Your answer contains characters we cannot accept")


def test_too_long_says_how_long_in_the_language():
    assert check("theft", "where_address", "x" * 401, "pl") == (
        None,
        "Odpowiedź może mieć najwyżej 400 znaków",
    )


# Choices


def test_a_choice_must_be_one_offered():
    assert check("theft", "stolen_value", "under_100") == ("under_100", None)
    assert check("theft", "stolen_value", "a million") == (None, "Select one of the answers shown")


def test_yes_or_no():
    assert check("fraud", "money_lost", "yes") == ("yes", None)
    assert check("fraud", "money_lost", "maybe")[1] == "Select one of the answers shown"
    assert check("fraud", "money_lost", "", "ar") == (None, "اختر إجابة")


def test_ticked_boxes_are_kept_once_each_in_the_order_offered():
    value, error = check("hate-crime", "hate_motivation", ["age", "disability", "age"])
    assert (value, error) == (["disability", "age"], None)


def test_no_box_ticked_or_one_not_offered_is_refused():
    assert check("hate-crime", "hate_motivation", [])[1] == "Select at least one answer"
    assert check("hate-crime", "hate_motivation", ["age", "hair"])[1] == (
        "Select one of the answers shown"
    )


# Dates and times


@pytest.mark.parametrize("raw", ["1/6/2025", "01/06/2025", "1-6-2025", "1.6.2025", "1 6 2025"])
def test_a_date_is_read_day_first(raw):
    assert check("theft", "when_date", raw) == ("2025-06-01", None)


def test_a_date_in_arabic_digits_is_read():
    assert check("theft", "when_date", "٢٧/٣/٢٠٢٥", "ar") == ("2025-03-27", None)


@pytest.mark.parametrize("raw", ["31/2/2025", "June 1st", "1/6/25", "1/6/1850", "00/00/0000"])
def test_a_date_that_is_not_real_is_refused(raw):
    assert check("theft", "when_date", raw)[1] == "Enter a real date, for example 27/3/2026"


def test_a_date_in_the_future_is_refused():
    tomorrow = timezone.localdate() + timedelta(days=1)
    raw = f"{tomorrow.day}/{tomorrow.month}/{tomorrow.year}"
    assert check("theft", "when_date", raw)[1] == "The date must be today or in the past"
    today = timezone.localdate()
    assert check("theft", "when_date", today.isoformat()) == (today.isoformat(), None)


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("14:30", "14:30"),
        ("9.05", "09:05"),
        ("2:30pm", "14:30"),
        ("12 am", "00:00"),
        ("7", "07:00"),
    ],
)
def test_a_time_is_kept_as_24_hours(raw, kept):
    assert check("theft", "when_time", raw) == (kept, None)


def test_an_arabic_afternoon_time_is_read():
    assert check("theft", "when_time", "٢:٣٠ م", "ar") == ("14:30", None)


@pytest.mark.parametrize("raw", ["25:00", "14:75", "13pm", "teatime"])
def test_a_time_that_is_not_real_is_refused(raw):
    assert check("theft", "when_time", raw)[1] == "Enter a time, for example 14:30 or 2:30pm"


# Postcodes, emails, phones


def test_a_postcode_is_tidied():
    assert check("theft", "where_postcode", " eh11yz ") == ("EH1 1YZ", None)
    assert check("theft", "where_postcode", "EH1 1YZZZ")[1] == "Enter a real postcode, like EH1 1YZ"


def test_an_email_address_must_look_like_one():
    assert check("theft", "reporter_email", " alex@example.com ") == ("alex@example.com", None)
    assert check("theft", "reporter_email", "alex at example")[1].startswith(
        "Enter an email address"
    )


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("07700 900982", "+447700900982"),
        ("0131 496 0000", "+441314960000"),
        ("+48 601 234 567", "+48601234567"),
    ],
)
def test_a_phone_number_is_kept_in_international_form(raw, kept):
    assert check("theft", "reporter_phone", raw) == (kept, None)


@pytest.mark.parametrize("raw", ["1234567", "999", "call me", "+44 1"])
def test_a_phone_number_that_cannot_be_dialled_is_refused(raw):
    assert check("theft", "reporter_phone", raw)[1].startswith("Enter a UK phone number")


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_kept_answer_checks_to_itself(data):
    """Answers are checked again on sending: a kept value must pass unchanged."""
    form = data.draw(st.sampled_from(list(FORMS.values())))
    question = data.draw(st.sampled_from([q for q in form.questions if q.type != "file"]))
    if question.type == "checkboxes":
        raw = data.draw(st.lists(st.sampled_from(question.option_values)))
    elif question.options:
        raw = data.draw(st.sampled_from([*question.option_values, ""]))
    else:
        raw = data.draw(st.one_of(st.text(max_size=30), st.from_regex(r"\d{1,2}/\d{1,2}/20\d\d")))
    value, error = validate_answer(question, raw, "en")
    if error is None:
        assert validate_answer(question, value, "en") == (value, None)


# show_if


def test_questions_behind_show_if_are_hidden_until_their_answer_is_given():
    ids = shown(THEFT, {})
    assert "when_date" not in ids
    assert "when_approx" not in ids
    assert "suspect_description" not in ids
    assert "reporter_name" not in ids


def test_next_question_follows_the_answer_given():
    assert next_question(THEFT, {"when_known": "exact"}, "when_known").id == "when_date"
    assert next_question(THEFT, {"when_known": "not_sure"}, "when_known").id == "when_approx"
    assert next_question(THEFT, {"suspect_known": "no"}, "suspect_known").id == "evidence"
    assert next_question(THEFT, {}, None).id == "stolen_items"


def test_after_the_last_question_comes_check_answers():
    answers = complete_answers(THEFT)
    assert next_question(THEFT, answers, "reporter_email") is None


def test_previous_question_skips_questions_not_shown():
    answers = {"when_known": "not_sure"}
    assert previous_question(THEFT, answers, "what_happened").id == "when_approx"
    assert previous_question(THEFT, answers, "stolen_items") is None


def test_an_answer_left_behind_by_a_changed_choice_opens_nothing():
    answers = complete_answers(THEFT)  # named, contact by email
    answers["reporting_as"] = "anonymous"
    ids = shown(THEFT, answers)
    assert "reporter_name" not in ids
    assert "preferred_contact" not in ids
    assert "reporter_email" not in ids  # its show_if question is itself hidden


def test_a_ticked_box_can_open_a_question():
    asb = FORMS["anti-social-behaviour"]
    form = replace(
        asb,
        questions=tuple(
            replace(q, show_if={"asb_type": ("drugs",)}) if q.id == "asb_frequency" else q
            for q in asb.questions
        ),
    )
    assert "asb_frequency" in shown(form, {"asb_type": ["drugs", "rowdy"]})
    assert "asb_frequency" not in shown(form, {"asb_type": ["rowdy"]})


def test_first_unanswered_and_first_problem():
    answers = complete_answers(THEFT)
    assert first_unanswered(THEFT, answers) is None
    assert first_problem(THEFT, answers, "en") is None
    answers["where_postcode"] = "nonsense"
    question, message = first_problem(THEFT, answers, "gd")
    assert question.id == "where_postcode"
    assert message == "Cuir a-steach còd-puist ceart, mar EH1 1YZ"
    del answers["stolen_value"]
    assert first_unanswered(THEFT, answers).id == "stolen_value"


# to_submission


def test_a_named_report_fills_the_contact_fields():
    answers = complete_answers(THEFT)
    submission = to_submission(THEFT, answers, "gd")
    assert submission.channel == "web_form"
    assert submission.category == "crime.theft"
    assert submission.language == "gd"
    assert submission.anonymous is False
    assert submission.reporter_name == "Alex Morgan"
    assert submission.reporter_email == "alex@example.com"
    assert submission.preferred_contact == "email"
    assert submission.reporter_phone == ""
    assert submission.narrative == answers["what_happened"]
    assert submission.address_text == answers["where_address"]
    assert submission.postcode == "EH1 1YZ"
    assert submission.answers["stolen_items"] == answers["stolen_items"]
    assert submission.answers["_form"] == {"slug": "theft", "version": THEFT.version}


def test_an_anonymous_report_carries_no_identity_even_if_it_was_typed_before():
    answers = complete_answers(THEFT)
    answers["reporting_as"] = "anonymous"
    submission = to_submission(THEFT, answers, "en")
    assert submission.anonymous is True
    assert (submission.reporter_name, submission.reporter_email) == ("", "")
    assert submission.preferred_contact == ""
    assert "reporter_name" not in submission.answers
    assert "reporter_email" not in submission.answers
    assert "Alex Morgan" not in str(submission.answers)


def test_contact_us_links_to_the_earlier_report_and_is_information():
    form = FORMS["contact-us"]
    answers = complete_answers(form) | {"topic": "existing", "existing_reference": "CRN-1"}
    submission = to_submission(form, answers, "en")
    assert submission.related_reference == "CRN-1"
    assert submission.reason == "information"
    assert submission.narrative == answers["message"]
