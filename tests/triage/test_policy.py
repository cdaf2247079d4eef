"""The CAM policy files: the shipped default, strict validation, content hash, versions, diffs."""

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.conf import settings

from cairn.contacts.call_services import CALL_CATEGORIES
from cairn.contacts.models import Channel
from cairn.contacts.report_forms import load_forms
from cairn.triage import policy as policy_module
from cairn.triage.models import THRIVE_DIMENSIONS, NextStepKind, PolicyVersion
from cairn.triage.policy import (
    PolicyError,
    current_policy,
    diff_policy_versions,
    load_policy,
    remember_policy_version,
)

SHIPPED = Path(settings.BASE_DIR) / "policy"


def policy_dir(
    tmp_path: Path,
    cam: Callable[[dict], None] | None = None,
    cues: Callable[[dict], None] | None = None,
) -> Path:
    """A copy of the shipped policy in tmp_path, each file changed by its function if given."""
    directory = tmp_path / "policy"
    directory.mkdir()
    for name, change in (("cam.yaml", cam), ("cues.yaml", cues)):
        if change is None:
            shutil.copy(SHIPPED / name, directory / name)
            continue
        data = yaml.safe_load((SHIPPED / name).read_text(encoding="utf-8"))
        change(data)
        (directory / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return directory


def rule(data: dict, rule_id: str) -> dict:
    return next(r for r in data["rules"] if r["id"] == rule_id)


def load_error(directory: Path) -> PolicyError:
    with pytest.raises(PolicyError) as caught:
        load_policy(directory)
    return caught.value


# The shipped policy ---------------------------------------------------------------------------


def test_the_shipped_policy_has_the_four_grades_most_urgent_first():
    policy = load_policy(SHIPPED)
    assert list(policy.grades) == ["immediate", "prompt", "standard", "other_resolution"]
    assert [grade.label for grade in policy.grades.values()] == [
        "Immediate",
        "Prompt",
        "Standard",
        "Other Resolution",
    ]


def test_prompt_has_a_supervisor_review_after_45_minutes_and_other_resolution_never_deploys():
    policy = load_policy(SHIPPED)
    assert policy.grades["prompt"].review_after_minutes == 45
    assert policy.grades["immediate"].review_after_minutes is None
    assert policy.grades["other_resolution"].deploys is False
    assert all(policy.grades[code].deploys for code in ("immediate", "prompt", "standard"))


def test_the_shipped_pathways_sit_under_their_grades_with_their_next_steps():
    policy = load_policy(SHIPPED)
    expected = {
        "dynamic_response": ("immediate", "dispatch_request"),
        "deploy_asap": ("prompt", "dispatch_request"),
        "local_policing_appointment": ("standard", "appointment_to_book"),
        "resolution_team": ("other_resolution", "resolution_task"),
        "partner_referral": ("other_resolution", "referral"),
        "advice_signposting": ("other_resolution", "advice_message"),
        "no_further_action": ("other_resolution", "no_further_action"),
    }
    assert {code: (p.grade, p.next_step) for code, p in policy.pathways.items()} == expected
    for grade in policy.grades.values():
        assert all(policy.pathways[code].grade == grade.code for code in grade.pathways)


def test_the_shipped_cue_kinds_are_the_ten_of_the_issue():
    policy = load_policy(SHIPPED)
    assert set(policy.cue_kinds) == {
        "suicide_self_harm",
        "domestic_abuse",
        "child_at_risk",
        "older_or_disabled",
        "mental_health_crisis",
        "distress",
        "repeat_victim",
        "repeat_location",
        "weapon",
        "ongoing",
    }
    assert policy.cue_kinds["distress"].suggests == "partner_referral"
    urgencies = [kind.urgency for kind in policy.cue_kinds.values()]
    assert urgencies == sorted(urgencies, reverse=True)


def test_the_policy_codes_match_the_database_choices():
    policy = load_policy(SHIPPED)
    assert tuple(NextStepKind.values) == policy_module.NEXT_STEPS
    assert tuple(policy.thrive_dimensions) == THRIVE_DIMENSIONS
    assert policy.levels == ("low", "medium", "high")
    assert set(policy.channels) == set(Channel.values)


def test_every_report_form_and_call_category_is_a_policy_category():
    policy = load_policy(SHIPPED)
    form_categories = {form.category for form in load_forms().values()}
    assert form_categories <= set(policy.categories)
    assert set(CALL_CATEGORIES) <= set(policy.categories)


def test_the_policy_languages_are_the_sites_languages():
    policy = load_policy(SHIPPED)
    assert set(policy.languages) == {code for code, _name in settings.LANGUAGES}


# Strict validation ----------------------------------------------------------------------------


def test_an_unknown_key_is_refused_naming_the_file_and_key(tmp_path):
    directory = policy_dir(tmp_path, cam=lambda d: d["grades"]["prompt"].update(colour="amber"))
    error = load_error(directory)
    assert error.file.endswith("cam.yaml")
    assert error.key == "grades.prompt.colour"
    assert "unknown key" in str(error)


def test_an_unknown_pathway_in_a_rule_is_refused(tmp_path):
    def change(data):
        rule(data, "weapon_and_ongoing")["then"]["pathway"] = "helicopter"

    error = load_error(policy_dir(tmp_path, cam=change))
    assert error.key == "rules.weapon_and_ongoing.then.pathway"
    assert "unknown pathway 'helicopter'" in str(error)


def test_a_pathway_under_the_wrong_grade_is_refused(tmp_path):
    def change(data):
        rule(data, "weapon_and_ongoing")["then"] = {
            "grade": "prompt",
            "pathway": "dynamic_response",
        }

    error = load_error(policy_dir(tmp_path, cam=change))
    assert error.key == "rules.weapon_and_ongoing.then.pathway"
    assert "'dynamic_response' is a pathway of 'immediate', not of 'prompt'" in str(error)


def test_an_unknown_grade_is_refused(tmp_path):
    def change(data):
        rule(data, "default")["then"]["grade"] = "whenever"

    assert load_error(policy_dir(tmp_path, cam=change)).key == "rules.default.then.grade"


def test_a_missing_label_is_refused(tmp_path):
    error = load_error(policy_dir(tmp_path, cues=lambda d: d["cues"]["weapon"].pop("label")))
    assert error.file.endswith("cues.yaml")
    assert error.key == "cues.weapon.label"
    assert "missing" in str(error)


def test_a_missing_pathway_label_is_refused(tmp_path):
    def change(data):
        data["grades"]["standard"]["pathways"]["local_policing_appointment"].pop("label")

    error = load_error(policy_dir(tmp_path, cam=change))
    assert error.key == "grades.standard.pathways.local_policing_appointment.label"


def test_an_unknown_cue_kind_in_a_rule_is_refused(tmp_path):
    def change(data):
        rule(data, "child_at_risk")["when"]["cues_any"] = ["child_at_rsik"]

    error = load_error(policy_dir(tmp_path, cam=change))
    assert error.key == "rules.child_at_risk.when.cues_any[0]"
    assert "unknown cue kind 'child_at_rsik'" in str(error)


def test_an_unknown_category_in_a_rule_is_refused(tmp_path):
    def change(data):
        rule(data, "assault")["when"]["category"] = ["crime.asault"]

    assert load_error(policy_dir(tmp_path, cam=change)).key == "rules.assault.when.category[0]"


def test_an_unknown_next_step_is_refused(tmp_path):
    def change(data):
        data["grades"]["prompt"]["pathways"]["deploy_asap"]["next_step"] = "send_pigeon"

    error = load_error(policy_dir(tmp_path, cam=change))
    assert error.key == "grades.prompt.pathways.deploy_asap.next_step"


def test_a_bad_thrive_level_in_a_rule_is_refused(tmp_path):
    def change(data):
        rule(data, "threat_and_risk_high")["when"]["thrive_at_least"]["threat"] = "severe"

    error = load_error(policy_dir(tmp_path, cam=change))
    assert error.key == "rules.threat_and_risk_high.when.thrive_at_least.threat"


def test_the_default_rule_must_be_last_and_have_no_conditions(tmp_path):
    def change(data):
        rule(data, "default")["when"] = {"category": ["crime.theft"]}

    assert load_error(policy_dir(tmp_path, cam=change)).key == "rules.default.when"


def test_a_rule_without_conditions_before_the_end_is_refused(tmp_path):
    def change(data):
        rule(data, "assault").pop("when")

    assert load_error(policy_dir(tmp_path, cam=change)).key == "rules.assault"


def test_an_explanation_with_an_unknown_placeholder_is_refused(tmp_path):
    def change(data):
        rule(data, "assault")["explain"] = "{grade} because {why}"

    assert load_error(policy_dir(tmp_path, cam=change)).key == "rules.assault.explain"


def test_a_phrase_with_bad_syntax_is_refused_naming_the_phrase(tmp_path):
    def change(data):
        data["cues"]["weapon"]["phrases"]["en"].append("knife (kitchen)")

    error = load_error(policy_dir(tmp_path, cues=change))
    assert error.key == "cues.weapon.phrases"
    assert "'knife (kitchen)'" in str(error)


def test_phrases_in_an_unknown_language_are_refused(tmp_path):
    def change(data):
        data["cues"]["weapon"]["phrases"]["fr"] = ["couteau"]

    assert load_error(policy_dir(tmp_path, cues=change)).key == "cues.weapon.phrases.fr"


def test_a_cue_suggesting_what_no_rule_suggests_is_refused(tmp_path):
    def change(data):
        data["cues"]["distress"]["suggests"] = "advice_signposting"

    error = load_error(policy_dir(tmp_path, cues=change))
    assert error.key == "cues.distress.suggests"


def test_yaml_that_does_not_parse_is_refused_naming_the_file(tmp_path):
    directory = policy_dir(tmp_path)
    (directory / "cues.yaml").write_text("cues: [unclosed\n", encoding="utf-8")
    error = load_error(directory)
    assert error.file.endswith("cues.yaml")
    assert "not valid YAML" in str(error)


def test_a_missing_file_is_refused(tmp_path):
    directory = policy_dir(tmp_path)
    (directory / "cues.yaml").unlink()
    assert load_error(directory).file.endswith("cues.yaml")


def test_a_broken_policy_stops_the_app_at_start(tmp_path, settings):
    directory = policy_dir(tmp_path, cam=lambda d: d.pop("grades"))
    settings.CAIRN_POLICY_DIR = directory
    current_policy.cache_clear()
    try:
        with pytest.raises(PolicyError, match="grades"):
            apps.get_app_config("triage").ready()
    finally:
        del settings.CAIRN_POLICY_DIR
        current_policy.cache_clear()


# Digest, caching, versions and diffs -------------------------------------------------------


def test_the_digest_is_stable_for_the_same_text_and_ignores_line_endings(tmp_path):
    first = load_policy(SHIPPED)
    directory = policy_dir(tmp_path)
    cam = directory / "cam.yaml"
    cam.write_bytes(cam.read_bytes().replace(b"\n", b"\r\n"))
    assert load_policy(directory).digest == first.digest
    assert len(first.digest) == 64


def test_the_digest_changes_with_any_change_even_a_comment(tmp_path):
    directory = policy_dir(tmp_path)
    before = load_policy(directory).digest
    cues = directory / "cues.yaml"
    cues.write_text(cues.read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8")
    assert load_policy(directory).digest != before


def test_the_text_holds_both_files(tmp_path):
    policy = load_policy(SHIPPED)
    assert "# --- cam.yaml" in policy.text
    assert "# --- cues.yaml" in policy.text
    assert "Distress Brief Intervention" in policy.text


def test_a_cam_yaml_path_loads_its_directory():
    assert load_policy(SHIPPED / "cam.yaml").digest == load_policy(SHIPPED).digest


def test_current_policy_is_loaded_once_until_the_cache_is_cleared():
    current_policy.cache_clear()
    first = current_policy()
    assert current_policy() is first
    current_policy.cache_clear()
    again = current_policy()
    assert again is not first
    assert again.digest == first.digest


def test_a_policy_version_is_remembered_once_per_digest(db):
    policy = load_policy(SHIPPED)
    version = remember_policy_version(policy)
    assert remember_policy_version(policy).pk == version.pk
    assert PolicyVersion.objects.filter(digest=policy.digest).count() == 1
    assert version.text == policy.text
    assert version.name == policy.name


def test_two_versions_diff_line_by_line(db, tmp_path):
    directory = policy_dir(tmp_path)
    cam = directory / "cam.yaml"
    cam.write_text(
        cam.read_text(encoding="utf-8").replace("lookback_days: 28", "lookback_days: 42"),
        encoding="utf-8",
    )
    old = remember_policy_version(load_policy(SHIPPED))
    new = remember_policy_version(load_policy(directory))
    lines = diff_policy_versions(old, new)
    assert lines[0].startswith("--- ")
    assert lines[1].startswith("+++ ")
    assert "-lookback_days: 28" in lines
    assert "+lookback_days: 42" in lines
    assert diff_policy_versions(old, old) == []
