"""Cues: phrases in every language, answers, markers, recent contacts; evidence as written.

Choice recorded here: "I could kill for a coffee" raises nothing. Only
reflexive or explicit phrases ("kill myself", "end my life") raise the
suicide cue, never "kill" alone, so everyday idiom stays quiet.
"""

from pathlib import Path

import pytest
from django.conf import settings

from cairn.triage.cues import normalise, raise_cues
from cairn.triage.facts import ContactFacts
from cairn.triage.policy import load_policy

POLICY = load_policy(Path(settings.BASE_DIR) / "policy")

# (kind, language, text, the evidence expected: the words as written)
SAMPLES = [
    ("suicide_self_harm", "en", "I think I'm going to kill myself tonight", "kill myself"),
    ("suicide_self_harm", "gd", "Tha mi airson cuir às dhomh fhìn", "cuir às dhomh fhìn"),
    ("suicide_self_harm", "pl", "Chyba zabiję się dzisiaj", "zabiję się"),
    ("suicide_self_harm", "uk", "Я хочу вбити себе", "вбити себе"),
    ("suicide_self_harm", "ar", "أريد أن أقتل نفسي", "أقتل نفسي"),
    ("weapon", "en", "He pulled a knife on me", "knife"),
    ("weapon", "gd", "Bha sgian aige", "sgian"),
    ("weapon", "pl", "Groził mi nożem", "nożem"),
    ("weapon", "uk", "Він погрожував ножем", "ножем"),
    ("weapon", "ar", "كان معه سكين", "سكين"),
    ("ongoing", "en", "They are still outside my flat", "still outside"),
    ("ongoing", "gd", "Tha iad fhathast an seo", "fhathast an seo"),
    ("ongoing", "pl", "Dzieje się teraz pod blokiem", "Dzieje się teraz"),
    ("ongoing", "uk", "Це відбувається прямо зараз", "прямо зараз"),
    ("ongoing", "ar", "يحدث الآن أمام بيتي", "يحدث الآن"),
    ("child_at_risk", "en", "The kids were left alone all night", "kids were left alone"),
    ("child_at_risk", "gd", "Tha an leanabh air chall", "leanabh air chall"),
    ("child_at_risk", "pl", "Dzieci są same w domu od wczoraj", "Dzieci są same w domu"),
    ("child_at_risk", "uk", "Діти самі вдома вже два дні", "Діти самі вдома"),
    ("child_at_risk", "ar", "طفل مفقود في الحديقة", "طفل مفقود"),
    ("domestic_abuse", "en", "My boyfriend punched me last night", "boyfriend punched me"),
    ("domestic_abuse", "gd", "Bhuail an duine agam mi a-raoir", "Bhuail an duine agam mi"),
    ("domestic_abuse", "pl", "To jest przemoc domowa", "przemoc domowa"),
    ("domestic_abuse", "uk", "Це домашнє насильство", "домашнє насильство"),
    ("domestic_abuse", "ar", "أتعرض لعنف أسري", "لعنف أسري"),
    ("mental_health_crisis", "en", "He is hearing voices again", "hearing voices"),
    ("mental_health_crisis", "gd", "Tha e a' cluinntinn ghuthan", "a' cluinntinn ghuthan"),
    ("mental_health_crisis", "pl", "Mój brat słyszy głosy", "słyszy głosy"),
    ("mental_health_crisis", "uk", "Мій брат чує голоси", "чує голоси"),
    ("mental_health_crisis", "ar", "أخي يسمع أصوات", "يسمع أصوات"),
    ("older_or_disabled", "en", "My elderly neighbour lives alone", "elderly"),
    ("older_or_disabled", "gd", "Tha seann bhoireannach na h-aonar", "seann bhoireannach"),
    ("older_or_disabled", "pl", "Starsza pani mieszka sama", "Starsza pani"),
    ("older_or_disabled", "uk", "Літня жінка живе сама", "Літня жінка"),
    ("older_or_disabled", "ar", "جاري رجل مسن", "مسن"),
    ("distress", "en", "I just can't cope", "can't cope"),
    ("distress", "gd", "Tha mi fo àmhghar", "fo àmhghar"),
    ("distress", "pl", "Nie radzę sobie z tym", "Nie radzę sobie"),
    ("distress", "uk", "Я не справляюся", "не справляюся"),
    ("distress", "ar", "أنا منهارة تماما", "منهارة"),
    ("repeat_victim", "en", "It has happened again", "happened again"),
    ("repeat_victim", "gd", "Thachair e a-rithist", "Thachair e a-rithist"),
    ("repeat_victim", "pl", "Po raz kolejny ktoś zniszczył auto", "Po raz kolejny"),
    ("repeat_victim", "uk", "Вже не вперше", "не вперше"),
    ("repeat_victim", "ar", "ليست المرة الأولى", "ليست المرة الأولى"),
    ("repeat_location", "en", "The police were at that flat again", "that flat again"),
    ("repeat_location", "gd", "Tha iad aig an taigh sin a-rithist", "an taigh sin a-rithist"),
    ("repeat_location", "pl", "Awantura znowu pod tym adresem", "znowu pod tym adresem"),
    ("repeat_location", "uk", "Шум знову в тій квартирі", "знову в тій квартирі"),
    ("repeat_location", "ar", "نفس العنوان كل مرة", "نفس العنوان"),
]


def cues(narrative: str = "", **facts):
    return raise_cues(ContactFacts(channel="web_form", narrative=narrative, **facts), POLICY)


def kinds(narrative: str = "", **facts) -> set[str]:
    return {cue.kind for cue in cues(narrative, **facts)}


def test_the_samples_cover_every_cue_kind_in_every_language():
    assert {(kind, language) for kind, language, _t, _e in SAMPLES} == {
        (kind, language) for kind in POLICY.cue_kinds for language in POLICY.languages
    }


@pytest.mark.parametrize(("kind", "language", "text", "evidence"), SAMPLES)
def test_a_phrase_raises_its_cue_with_the_words_as_written(kind, language, text, evidence):
    raised = [cue for cue in cues(text, language=language) if cue.kind == kind]
    assert raised, f"{kind} not raised by {text!r}"
    assert raised[0].source == "narrative"
    assert raised[0].evidence == evidence


@pytest.mark.parametrize(("kind", "_language", "text", "_evidence"), SAMPLES)
def test_any_languages_phrases_apply_to_a_contact_in_another_language(
    kind, _language, text, _evidence
):
    assert kind in kinds(f"Sorry my English. {text}", language="en")


@pytest.mark.parametrize(
    "text",
    [
        "my phone died",
        "I could kill for a coffee",
        "this traffic is killing me",
        "I'm dying to know what happened to my parcel",
        "The stable door was left open",
        "I saw my wife pushing the pushchair",
        "Armed forces day parade on Sunday",
        "He has been a regular at the pub for years",
        "I lost my phone on the bus",
        "I took two tablets for my headache",
        "My husband is fighting a cold",
        "My heart is beating fast",
        "Nic się nie stało, zgubiłem tylko telefon",
        "Я загубив телефон в автобусі",
        "فقدت هاتفي في الحافلة",
        "Chaill mi am fòn agam",
    ],
)
def test_everyday_text_raises_no_cue(text):
    assert kinds(text) == set()


def test_matching_ignores_case_and_accents():
    assert kinds("ZABIĆ SIĘ") == {"suicide_self_harm"}
    assert kinds("chce sie zabic sie") == {"suicide_self_harm"}
    assert kinds("Zabic sie") == {"suicide_self_harm"}
    assert kinds("cuir as dhomh fhin") == {"suicide_self_harm"}


def test_decomposed_accents_match_and_the_evidence_keeps_them():
    decomposed = "zabic\u0301 sie\u0328"  # ć and ę as a letter plus a combining mark
    (cue,) = cues(decomposed)
    assert cue.evidence == decomposed


def test_arabic_vowel_marks_are_ignored_and_kept_in_the_evidence():
    (cue,) = cues("أُرِيدُ أَنْ أَقْتُلَ نَفْسِي")
    assert cue.kind == "suicide_self_harm"
    assert cue.evidence == "أَقْتُلَ نَفْسِي"


def test_apostrophes_of_every_kind_match():
    for text in ("Я вб'ю себе", "Я вб’ю себе", "Я вбʼю себе"):
        assert kinds(text) == {"suicide_self_harm"}, text
    assert kinds("I can’t cope") == {"distress"}


def test_phrases_match_whole_words_only():
    assert "weapon" not in kinds("Gunnar came round for dinner")
    assert "weapon" in kinds("He had a gun")


def test_a_negated_weapon_or_ongoing_phrase_raises_nothing():
    assert kinds("There was no knife") == set()
    assert kinds("He didn't have a knife, I checked") == set()
    assert kinds("Nie miał noża") == set()
    assert kinds("The man is not here now") == set()


def test_a_negation_in_an_earlier_clause_does_not_hide_a_weapon():
    assert "weapon" in kinds("No, he has a knife")


def test_suicide_is_raised_even_when_denied_for_the_handler_to_judge():
    assert kinds("I'm not going to kill myself") == {"suicide_self_harm"}


def test_an_exception_phrase_does_not_raise_the_cue():
    assert kinds("How do I renew my shotgun certificate?") == set()
    assert kinds("I'm safe right now") == set()
    assert "ongoing" in kinds("He is outside right now")


def test_a_written_answer_raises_a_cue_from_that_answer():
    (cue,) = cues(answers={"damage_description": "They wrote that they would stab me"})
    assert (cue.kind, cue.source, cue.evidence) == (
        "weapon",
        "answers.damage_description",
        "stab",
    )


def test_an_answer_that_repeats_the_narrative_raises_the_cue_once():
    text = "He had a knife"
    raised = cues(text, answers={"what_happened": text})
    assert [(cue.kind, cue.source) for cue in raised] == [("weapon", "narrative")]


def test_a_disability_hate_crime_against_the_reporter_raises_older_or_disabled():
    raised = cues(
        answers={"hate_involvement": "victim", "hate_motivation": ["race", "disability"]},
        category="crime.hate",
    )
    assert [(cue.kind, cue.source, cue.evidence) for cue in raised] == [
        ("older_or_disabled", "answers.hate_motivation", "disability")
    ]


def test_a_disability_hate_crime_seen_by_a_witness_raises_nothing_about_the_reporter():
    assert (
        kinds(answers={"hate_involvement": "witness", "hate_motivation": ["disability"]}) == set()
    )


def test_regular_antisocial_behaviour_raises_repeat_victim():
    (cue,) = cues(answers={"asb_frequency": "regularly"})
    assert (cue.kind, cue.source) == ("repeat_victim", "answers.asb_frequency")
    assert kinds(answers={"asb_frequency": "once"}) == set()


def test_person_markers_raise_their_cues():
    raised = cues(markers=("vulnerable_adult", "repeat_victim", "likes_cats"))
    assert {(cue.kind, cue.source, cue.evidence) for cue in raised} == {
        ("older_or_disabled", "person markers", "vulnerable_adult"),
        ("repeat_victim", "person markers", "repeat_victim"),
    }


def test_recent_contacts_from_the_person_raise_repeat_victim_at_the_threshold():
    assert kinds(recent_contacts_from_person=1) == set()
    (cue,) = cues(recent_contacts_from_person=2)
    assert (cue.kind, cue.source) == ("repeat_victim", "recent contacts")
    assert cue.evidence == "2 earlier contacts from this person in 28 days"


def test_recent_contacts_at_the_location_raise_repeat_location_at_the_threshold():
    assert kinds(recent_contacts_at_location=2) == set()
    (cue,) = cues(recent_contacts_at_location=3)
    assert (cue.kind, cue.source) == ("repeat_location", "recent contacts")
    assert cue.evidence == "3 earlier contacts about this location in 28 days"


def test_cues_come_most_urgent_first_once_per_kind_and_source():
    raised = cues(
        "My husband hit me, he has a knife and a gun, he is still here",
        markers=("domestic_abuse_victim",),
    )
    assert [(cue.kind, cue.source) for cue in raised] == [
        ("weapon", "narrative"),
        ("ongoing", "narrative"),
        ("domestic_abuse", "narrative"),
        ("domestic_abuse", "person markers"),
    ]


def test_long_evidence_is_cut_to_fit_the_cue_row():
    raised = cues("my partner " + "really " * 2 + "hit me " + "x" * 500)
    assert all(len(cue.evidence) <= 200 for cue in raised)


def test_normalise_maps_each_folded_character_back_to_the_text():
    folded, index = normalise("Straße ĆMA")
    assert folded == "strasse cma"
    assert index is not None
    assert len(index) == len(folded)
    assert "Straße ĆMA"[index[4]] == "ß"
