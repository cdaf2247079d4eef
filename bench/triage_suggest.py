"""CAM suggestion latency: pure policy evaluation, in process (no server, no database).

Two figures for ``cairn.triage.engine.suggest`` over the facts of the public
vignettes (policy/vignettes/public.yaml: every grade, pathway, cue kind and
language, mixed):

- **wall time** per call, median and p99, over ``plan.rounds`` rounds of
  ``plan.duration`` seconds each (after a discarded warm-up of
  ``plan.warmup`` seconds), each call timed on its own;
- **instructions** per call, counted by callgrind: the same small program (this
  module run with ``--callgrind-child N``) is run under ``valgrind
  --tool=callgrind`` making N suggestions and making none; the difference in
  instructions divided by N is the cost of one suggestion, without Python's
  start-up or the policy loading. Instruction counts do not depend on the
  machine's load, so they compare between runs; when valgrind is missing that
  part is skipped and the summary says so.

``server`` is ignored. Run alone: ``python -m bench.triage_suggest``.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
POLICY_DIR = ROOT / "policy"
VIGNETTES = POLICY_DIR / "vignettes" / "public.yaml"
NAME = "triage_suggest"
TITLE = "CAM suggestion latency: suggest() over the public vignettes, in process"
CALLGRIND_CALLS = 500
CALLGRIND_TIMEOUT = 600  # seconds for each valgrind run
_TOTALS = re.compile(r"^(?:summary|totals):\s+(\d+)", re.MULTILINE)


def vignette_facts() -> list[Any]:
    """The ContactFacts of every public vignette, in file order."""
    from cairn.triage.facts import ContactFacts

    data = yaml.safe_load(VIGNETTES.read_text(encoding="utf-8"))
    facts = []
    for vignette in data["vignettes"]:
        raw = dict(vignette["facts"])
        raw["markers"] = tuple(raw.get("markers", ()))
        facts.append(ContactFacts(**raw))
    return facts


@dataclass
class Callgrind:
    calls: int = 0
    instructions_with: int = 0
    instructions_without: int = 0
    skipped: str = ""  # why, when it did not run

    @property
    def per_call(self) -> float:
        return (self.instructions_with - self.instructions_without) / self.calls


@dataclass
class Report:
    name: str = NAME
    policy: str = ""
    vignettes: int = 0
    round_medians_us: list[float] = field(default_factory=list)
    samples_ns: list[int] = field(default_factory=list)
    callgrind: Callgrind = field(default_factory=Callgrind)
    error: str = ""

    @property
    def valid(self) -> bool:
        return not self.error and bool(self.samples_ns)

    def summary(self) -> list[str]:
        lines = [f"{self.name}: {TITLE}"]
        if self.error:
            return [*lines, f"  INVALID: {self.error}"]
        ordered = sorted(self.samples_ns)
        median = statistics.median(ordered) / 1000
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] / 1000
        rounds = ", ".join(f"{value:.1f}" for value in self.round_medians_us)
        lines += [
            f"  policy     {self.policy}",
            f"  calls      {len(ordered)} timed, over {self.vignettes} vignettes (mixed), "
            f"{len(self.round_medians_us)} rounds",
            f"  wall time  median {median:.1f} µs, p99 {p99:.1f} µs per suggest() "
            f"(round medians, µs: {rounds})",
        ]
        if self.callgrind.skipped:
            lines.append(f"  callgrind  skipped: {self.callgrind.skipped}")
        else:
            lines.append(
                f"  callgrind  {self.callgrind.per_call:,.0f} instructions per suggest() "
                f"(({self.callgrind.instructions_with:,} with {self.callgrind.calls} calls "
                f"- {self.callgrind.instructions_without:,} with none) / "
                f"{self.callgrind.calls})"
            )
        return lines


def _time_calls(facts: list[Any], policy: Any, seconds: float) -> list[int]:
    from cairn.triage.engine import suggest

    samples = []
    clock = time.perf_counter_ns
    deadline = clock() + int(seconds * 1e9)
    while clock() < deadline:
        for item in facts:
            start = clock()
            suggest(item, policy)
            samples.append(clock() - start)
    return samples


def _callgrind_instructions(calls: int, workdir: Path) -> int:
    out = workdir / f"callgrind.{calls}.out"
    command = [
        "valgrind",
        "--tool=callgrind",
        f"--callgrind-out-file={out}",
        sys.executable,
        "-m",
        "bench.triage_suggest",
        "--callgrind-child",
        str(calls),
    ]
    # A fixed hash seed: both runs take the same paths through dicts and sets.
    environment = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run(
        command,
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
        timeout=CALLGRIND_TIMEOUT,
    )
    match = _TOTALS.search(out.read_text(encoding="utf-8", errors="replace"))
    if not match:
        raise RuntimeError(f"no instruction total in {out}")
    return int(match.group(1))


def measure_callgrind(calls: int = CALLGRIND_CALLS) -> Callgrind:
    if not shutil.which("valgrind"):
        return Callgrind(skipped="valgrind is not installed (Debian package valgrind)")
    try:
        with tempfile.TemporaryDirectory(prefix="cairn-callgrind-") as directory:
            without = _callgrind_instructions(0, Path(directory))
            with_calls = _callgrind_instructions(calls, Path(directory))
    except (subprocess.SubprocessError, OSError, RuntimeError) as error:
        return Callgrind(skipped=f"valgrind failed: {error}")
    return Callgrind(calls=calls, instructions_with=with_calls, instructions_without=without)


def run(server: Any = None, plan: Any = None) -> Report:
    from cairn.triage.policy import load_policy

    rounds = getattr(plan, "rounds", 5)
    warmup = getattr(plan, "warmup", 1)
    duration = getattr(plan, "duration", 5)
    report = Report()
    try:
        policy = load_policy(POLICY_DIR)
        facts = vignette_facts()
    except Exception as error:  # reported as an invalid run
        report.error = str(error)
        return report
    report.policy = (
        f"{policy.name} ({policy.digest[:12]}), {len(policy.rules)} rules, "
        f"{len(policy.cue_kinds)} cue kinds"
    )
    report.vignettes = len(facts)
    print(f"{NAME}: warm-up {warmup} s, then {rounds} rounds of {duration} s", flush=True)
    _time_calls(facts, policy, warmup)
    for number in range(1, rounds + 1):
        samples = _time_calls(facts, policy, duration)
        report.samples_ns.extend(samples)
        report.round_medians_us.append(statistics.median(samples) / 1000)
        print(f"  round {number}: median {report.round_medians_us[-1]:.1f} µs", flush=True)
    print(f"{NAME}: callgrind, {CALLGRIND_CALLS} calls against none", flush=True)
    report.callgrind = measure_callgrind()
    return report


def _callgrind_child(calls: int) -> None:
    """What valgrind runs: load the policy and the facts, then make ``calls`` suggestions."""
    from cairn.triage.engine import suggest
    from cairn.triage.policy import load_policy

    policy = load_policy(POLICY_DIR)
    facts = vignette_facts()
    for number in range(calls):
        suggest(facts[number % len(facts)], policy)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if sys.argv[1:2] == ["--callgrind-child"]:
        _callgrind_child(int(sys.argv[2]))
    else:
        result = run()
        print("\n".join(result.summary()))
        sys.exit(0 if result.valid else 1)
