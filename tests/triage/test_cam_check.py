"""``manage.py cam_check``: the shipped vignettes pass, and a failing set fails loudly."""

import subprocess
import sys
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from cairn.triage.policy import load_policy

ROOT = Path(settings.BASE_DIR)
PUBLIC = ROOT / "policy" / "vignettes" / "public.yaml"
POLICY = load_policy(ROOT / "policy")


def run(*args: str) -> str:
    out = StringIO()
    call_command("cam_check", *args, stdout=out)
    return out.getvalue()


def vignette(vignette_id: str, narrative: str, grade: str, pathway: str, **facts) -> dict:
    return {
        "id": vignette_id,
        "facts": {"channel": "web_form", "narrative": narrative, **facts},
        "expected": {"grade": grade, "pathway": pathway},
    }


def write(tmp_path: Path, *vignettes: dict) -> Path:
    path = tmp_path / "vignettes.yaml"
    path.write_text(yaml.safe_dump({"vignettes": list(vignettes)}), encoding="utf-8")
    return path


def test_the_shipped_vignettes_pass_with_the_thresholds_of_the_issue():
    output = run(str(PUBLIC))
    figures = {
        line.split(":")[0]: line.split()[1].split("/")
        for line in output.splitlines()
        if line.startswith(("agreement:", "immediate:"))
    }
    agreed, total = map(int, figures["agreement"])
    assert agreed / total >= 0.9
    immediate_agreed, immediate_total = map(int, figures["immediate"])
    assert immediate_agreed == immediate_total > 10
    assert output.rstrip().endswith("cam_check passed")


def test_the_shipped_vignettes_cover_every_grade_pathway_cue_and_language():
    vignettes = yaml.safe_load(PUBLIC.read_text(encoding="utf-8"))["vignettes"]
    assert len(vignettes) >= 40
    assert {v["expected"]["grade"] for v in vignettes} == set(POLICY.grades)
    assert {v["expected"]["pathway"] for v in vignettes} == set(POLICY.pathways)
    expected_cues = {cue for v in vignettes for cue in v["expected"].get("cues", [])}
    assert expected_cues == set(POLICY.cue_kinds)
    languages = Counter(v["facts"].get("language", "en") for v in vignettes)
    assert all(languages[code] >= 3 for code in ("gd", "pl", "uk", "ar")), languages


def test_a_disagreement_is_printed_with_the_explanation_and_95_percent_still_passes(tmp_path):
    path = write(
        tmp_path,
        vignette("knife-now", "He has a knife and is here right now", "prompt", "deploy_asap"),
        *[
            vignette(
                f"theft-{n}",
                "My bike was stolen",
                "other_resolution",
                "resolution_team",
                category="crime.theft",
            )
            for n in range(20)
        ],
    )
    output = run(str(path))
    assert (
        "DISAGREES knife-now: expected Prompt / Deploy as soon as possible, suggested "
        "Immediate / Dynamic response (rule weapon_and_ongoing)." in output
    )
    assert "Immediate because a weapon is mentioned" in output
    assert "agreement: 20/21 (95.2 %)" in output
    assert output.rstrip().endswith("cam_check passed")


def test_an_immediate_vignette_suggested_otherwise_fails_even_at_high_agreement(tmp_path):
    path = write(
        tmp_path,
        vignette("lost-purse", "I lost my purse", "immediate", "dynamic_response"),
        *[
            vignette(
                f"theft-{n}",
                "My bike was stolen",
                "other_resolution",
                "resolution_team",
                category="crime.theft",
            )
            for n in range(30)
        ],
    )
    out = StringIO()
    with pytest.raises(CommandError, match="an Immediate vignette disagrees"):
        call_command("cam_check", str(path), stdout=out)
    assert "immediate: 0/1 (0.0 %)" in out.getvalue()


def test_low_agreement_fails_unless_the_minimum_is_lowered(tmp_path):
    path = write(
        tmp_path,
        vignette(
            "theft",
            "My bike was stolen",
            "other_resolution",
            "resolution_team",
            category="crime.theft",
        ),
        vignette(
            "wrong",
            "My bike was stolen",
            "standard",
            "local_policing_appointment",
            category="crime.theft",
        ),
    )
    with pytest.raises(CommandError, match="agreement below 90 %"):
        run(str(path))
    assert run(str(path), "--min-agreement", "50").rstrip().endswith("cam_check passed")


def test_expected_cues_must_be_exactly_those_raised(tmp_path):
    case = vignette("knife", "He had a knife yesterday", "prompt", "deploy_asap")
    case["expected"]["cues"] = ["weapon", "domestic_abuse"]
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("cam_check", str(write(tmp_path, case)), stdout=out)
    assert "Cues expected [domestic_abuse, weapon], raised [weapon]." in out.getvalue()


def test_a_vignette_file_with_an_unknown_key_or_code_is_refused(tmp_path):
    case = vignette("x", "text", "prompt", "deploy_asap")
    case["facts"]["mood"] = "grumpy"
    with pytest.raises(CommandError, match="unknown key"):
        run(str(write(tmp_path, case)))
    case = vignette("x", "text", "prompt", "dynamic_response")
    with pytest.raises(CommandError, match="not a pathway of 'prompt'"):
        run(str(write(tmp_path, case)))
    case = vignette("x", "text", "prompt", "deploy_asap", category="crime.nonsense")
    with pytest.raises(CommandError, match=r"unknown category 'crime\.nonsense'"):
        run(str(write(tmp_path, case)))
    case = vignette("x", "text", "prompt", "deploy_asap", thrive={"threat": "severe"})
    with pytest.raises(CommandError, match="unknown THRIVE threat: 'severe'"):
        run(str(write(tmp_path, case)))


def test_another_policy_directory_can_be_checked(tmp_path):
    directory = tmp_path / "policy"
    directory.mkdir()
    for name in ("cam.yaml", "cues.yaml"):
        (directory / name).write_bytes((ROOT / "policy" / name).read_bytes())
    cam = directory / "cam.yaml"
    cam.write_text(
        cam.read_text(encoding="utf-8").replace(
            "name: Police Scotland Contact Assessment Model (Cairn default)",
            "name: Trial policy",
        ),
        encoding="utf-8",
    )
    assert "policy: Trial policy" in run(str(PUBLIC), "--policy", str(directory))


def test_the_command_exits_non_zero_from_the_shell(tmp_path):
    path = write(tmp_path, vignette("lost", "I lost my purse", "immediate", "dynamic_response"))
    result = subprocess.run(
        [sys.executable, "manage.py", "cam_check", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "DISAGREES lost" in result.stdout
