"""The CAM engine: the first matching rule wins, the explanation names the facts, always answers."""

from pathlib import Path

import yaml
from django.conf import settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cairn.triage.engine import suggest
from cairn.triage.facts import ContactFacts
from cairn.triage.policy import current_policy, load_policy

POLICY = load_policy(Path(settings.BASE_DIR) / "policy")
ALL_LOW = dict.fromkeys(POLICY.thrive_dimensions, "low")


def facts(narrative: str = "", **more) -> ContactFacts:
    return ContactFacts(channel=more.pop("channel", "web_form"), narrative=narrative, **more)


def response(narrative: str = "", **more) -> tuple[str, str]:
    suggestion = suggest(facts(narrative, **more), POLICY)
    return suggestion.grade, suggestion.pathway


def test_a_weapon_in_an_ongoing_incident_is_immediate_and_the_explanation_says_why():
    suggestion = suggest(facts("He has a knife and he is outside right now"), POLICY)
    assert (suggestion.grade, suggestion.pathway) == ("immediate", "dynamic_response")
    assert suggestion.rule == "weapon_and_ongoing"
    assert suggestion.explanation.startswith("Immediate because a weapon is mentioned")
    assert "\u201cknife\u201d" in suggestion.explanation
    assert "the incident is happening now (\u201cright now\u201d)" in suggestion.explanation


def test_the_suggestion_carries_the_cues_and_the_policy_version():
    suggestion = suggest(facts("He has a knife"), POLICY)
    assert [cue.kind for cue in suggestion.cues] == ["weapon"]
    assert suggestion.policy_version == POLICY.digest


def test_a_weapon_not_happening_now_is_prompt():
    assert response("Yesterday a man threatened me with a knife") == ("prompt", "deploy_asap")


def test_distress_without_immediate_risk_suggests_a_distress_brief_intervention():
    suggestion = suggest(facts("I can't cope any more since my mum died"), POLICY)
    assert (suggestion.grade, suggestion.pathway) == ("other_resolution", "partner_referral")
    assert "Distress Brief Intervention" in suggestion.explanation
    assert "the person is in distress (\u201ccan't cope\u201d)" in suggestion.explanation


def test_distress_with_an_immediate_risk_is_not_a_referral():
    assert response("I can't cope, he's outside right now with a knife") == (
        "immediate",
        "dynamic_response",
    )
    assert response("I can't cope, I want to end my life") == ("immediate", "dynamic_response")


def test_suicide_is_immediate_unless_the_handler_assessed_threat_and_risk_low():
    assert response("I want to end my life") == ("immediate", "dynamic_response")
    assessed = dict(ALL_LOW, harm="medium")
    assert response("I used to self-harm", thrive=assessed) == (
        "other_resolution",
        "partner_referral",
    )


def test_thrive_threat_and_risk_high_is_immediate_and_named_in_the_explanation():
    suggestion = suggest(facts("", thrive=dict(ALL_LOW, threat="high", risk="high")), POLICY)
    assert suggestion.grade == "immediate"
    assert "Threat is assessed as high and Risk is assessed as high" in suggestion.explanation


def test_one_of_threat_or_risk_high_is_prompt():
    assert response("", thrive=dict(ALL_LOW, risk="high")) == ("prompt", "deploy_asap")


def test_domestic_abuse_assessed_lower_risk_gets_an_early_appointment():
    narrative = "My ex-husband used to hit me"
    assert response(narrative) == ("prompt", "deploy_asap")
    assessed = dict(ALL_LOW, threat="medium", risk="medium")
    suggestion = suggest(facts(narrative, thrive=assessed), POLICY)
    assert (suggestion.grade, suggestion.pathway) == ("standard", "local_policing_appointment")
    assert "earliest appointment" in suggestion.explanation


def test_a_device_alarm_is_immediate():
    suggestion = suggest(facts("Alarm activated", channel="device"), POLICY)
    assert suggestion.grade == "immediate"
    assert "it is an alert from a device or alarm" in suggestion.explanation


def test_categories_choose_the_other_resolution_pathway():
    assert response("My bike was stolen", category="crime.theft") == (
        "other_resolution",
        "resolution_team",
    )
    assert response("I lost my purse", category="property.lost") == (
        "other_resolution",
        "advice_signposting",
    )
    assert response("Keys", category="property.found", answers={"item_now": "handed_in"}) == (
        "other_resolution",
        "no_further_action",
    )


def test_a_form_answer_can_choose_the_response_and_is_explained():
    suggestion = suggest(
        facts("Cars on the pavement", category="road_traffic", answers={"road_matter": "parking"}),
        POLICY,
    )
    assert (suggestion.grade, suggestion.pathway) == ("other_resolution", "advice_signposting")
    assert "parking, which the council enforces" in suggestion.explanation


def test_a_repeat_victim_gets_an_appointment_instead_of_a_phone_resolution():
    assert response("Bike stolen", category="crime.theft", recent_contacts_from_person=2) == (
        "standard",
        "local_policing_appointment",
    )


def test_nothing_matched_falls_to_the_default_rule():
    suggestion = suggest(facts("Hello"), POLICY)
    assert (suggestion.grade, suggestion.pathway, suggestion.rule) == (
        "other_resolution",
        "resolution_team",
        "default",
    )
    assert "nothing called for a more specific response" in suggestion.explanation


def test_unknown_thrive_dimensions_and_levels_are_ignored():
    thrive = {"threat": "extreme", "mood": "high", "risk": "HIGH"}
    assert response("Hello", thrive=thrive) == ("other_resolution", "resolution_team")


def test_the_first_matching_rule_wins(tmp_path):
    directory = tmp_path / "policy"
    directory.mkdir()
    shipped = Path(settings.BASE_DIR) / "policy"
    (directory / "cues.yaml").write_bytes((shipped / "cues.yaml").read_bytes())
    cam = yaml.safe_load((shipped / "cam.yaml").read_text(encoding="utf-8"))
    # A rule put in front of everything takes every theft, whatever else is true.
    cam["rules"].insert(
        0,
        {
            "id": "theft_first",
            "when": {"category": ["crime.theft"]},
            "then": {"grade": "standard", "pathway": "local_policing_appointment"},
            "explain": "{grade}: {pathway} because {reasons}.",
        },
    )
    (directory / "cam.yaml").write_text(yaml.safe_dump(cam, allow_unicode=True), encoding="utf-8")
    policy = load_policy(directory)
    suggestion = suggest(
        facts("They are breaking in now with a knife", category="crime.theft"), policy
    )
    assert suggestion.rule == "theft_first"
    assert suggestion.explanation == (
        "Standard: Local Policing Appointment because it is a report of theft."
    )


def test_without_a_policy_the_current_one_is_used():
    assert suggest(facts("Hello")).policy_version == current_policy().digest


def test_suggesting_reads_nothing_from_the_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        suggest(facts("My husband hit me, he is still here", category="crime.assault"), POLICY)


levels = st.sampled_from([*POLICY.levels, "", "HIGH", "severe"])
dimensions = st.sampled_from([*POLICY.thrive_dimensions, "mood", ""])
answer_values = st.one_of(
    st.text(max_size=40),
    st.lists(st.text(max_size=10), max_size=3),
    st.booleans(),
    st.integers(),
    st.none(),
)
phrases = st.sampled_from(
    ["knife", "right now", "kill myself", "can't cope", "dementia", "zabić się", "سكين", ""]
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    narrative=st.lists(st.one_of(st.text(max_size=60), phrases), max_size=6).map(" ".join),
    channel=st.sampled_from([*POLICY.channels, "carrier_pigeon"]),
    category=st.sampled_from([*POLICY.categories, "", "crime.unknown", "nonsense"]),
    thrive=st.dictionaries(dimensions, levels, max_size=7),
    answers=st.dictionaries(
        st.sampled_from(["road_matter", "item_now", "hate_motivation", "asb_frequency", "x"]),
        answer_values,
        max_size=4,
    ),
    markers=st.lists(st.sampled_from(["repeat_victim", "vulnerable_adult", "x"]), max_size=3),
    from_person=st.integers(min_value=-5, max_value=50),
    at_location=st.integers(min_value=-5, max_value=50),
)
def test_suggest_never_raises_and_always_answers_a_grade_and_pathway_of_the_policy(
    narrative, channel, category, thrive, answers, markers, from_person, at_location
):
    suggestion = suggest(
        ContactFacts(
            channel=channel,
            category=category,
            narrative=narrative,
            thrive=thrive,
            answers=answers,
            markers=tuple(markers),
            recent_contacts_from_person=from_person,
            recent_contacts_at_location=at_location,
        ),
        POLICY,
    )
    assert suggestion.grade in POLICY.grades
    assert suggestion.pathway in POLICY.grades[suggestion.grade].pathways
    assert suggestion.explanation
    assert all(cue.kind in POLICY.cue_kinds for cue in suggestion.cues)
    assert all(0 < len(cue.evidence) <= 200 for cue in suggestion.cues)
