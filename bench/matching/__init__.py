"""Matching benchmark: exact rules, Cairn's matcher and splink on synthetic people; lookup latency.

Two parts, in one run (see bench/README.md, "matching"):

1. Quality. A master of known persons and a stream of probe records
   (incoming contacts), from ``bench.people_synth`` with known truth; three
   linkers answer each probe with "this is person X" or "no link": exact rules,
   Cairn's ``match_identity`` (the master loaded into PostgreSQL) and splink 5
   with DuckDB. Precision, recall, F1, and where each fails.
2. Latency. A population (default a million people) in PostgreSQL; the p99 of
   ``match_identity`` against the p99 of an exact indexed phone lookup, timed
   interleaved in this process.

``server`` is ignored. Options come from the environment (``make bench
ARGS="matching --env CAIRN_BENCH_MATCHING_POPULATION=200000"`` sets them, as
``--env`` applies to this process too) or, run alone, from the command line:
``CAIRN_PG_DATA=var/pgbench .venv/bin/python -m bench.matching --population 200000``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

NAME = "matching"
TITLE = "Matching: exact rules, Cairn's matcher and splink on synthetic people; lookup latency"
ROOT = Path(__file__).resolve().parent.parent.parent
EXPLAIN_FILE = ROOT / "var" / "bench" / "matching-explain.txt"
QUALITY_SCHEMA = "bench_matching_quality"
F1_SHARE_OF_SPLINK = 0.97
RECALL_OVER_EXACT = 0.3
MIN_PRECISION = 0.98
MAX_P99_RATIO = 5.0


OPTION_TYPES = {"int": int, "float": float, "str": str}


@dataclass(frozen=True)
class Options:
    master: int = 20_000  # persons in the master (quality)
    probes: int = 5_000  # probe records (quality)
    share_in_master: float = 0.6  # of the probes, those whose person is in the master
    population: int = 1_000_000  # people loaded for the latency part
    samples: int = 4_000  # timed calls of each (exact lookup, match)
    warmup: int = 300  # untimed calls of each first
    seed: int = 1
    policy: str = ""  # another matching policy file to measure (default: policy/matching.yaml)

    @classmethod
    def from_environment(cls) -> Options:
        values: dict[str, Any] = {}
        for option in fields(cls):
            text = os.environ.get(f"CAIRN_BENCH_MATCHING_{option.name.upper()}")
            if text:
                values[option.name] = OPTION_TYPES[option.type](text)
        return cls(**values)

    def matching_policy(self):
        from cairn.people.matching_policy import current_matching_policy, load_matching_policy

        return load_matching_policy(Path(self.policy)) if self.policy else current_matching_policy()


@dataclass
class Report:
    options: Options
    name: str = NAME
    quality: Any = None  # quality.QualityResult
    latency: Any = None  # latency.LatencyResult
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors and self.quality is not None and self.latency is not None

    def summary(self) -> list[str]:
        from bench.matching.summary import summary_lines

        return summary_lines(self)


def run(
    server: Any = None,
    plan: Any = None,
    options: Options | None = None,
    explain_to: Path | None = EXPLAIN_FILE,
) -> Report:
    """Both parts; an exception in one is reported (the run is then invalid), not raised."""
    import time
    import traceback

    from bench.matching import latency, linkers, quality, store
    from bench.matching.splink_linker import splink_links
    from bench.people_synth import GENERATOR_VERSION, quality_dataset

    options = options or Options.from_environment()
    report = Report(options)
    print(f"{NAME}: {options}", flush=True)
    try:
        started = time.perf_counter()
        dataset = quality_dataset(
            options.master, options.probes, options.seed, options.share_in_master
        )
        generated = time.perf_counter() - started
        loaded = store.load(
            QUALITY_SCHEMA,
            sorted(dataset.master.items()),
            version=GENERATOR_VERSION,
            seed=options.seed,
            size=options.master,
        )
        print(f"  quality: master loaded in {loaded.seconds:.1f} s; linking", flush=True)
        policy = options.matching_policy()
        results = [
            linkers.exact_links(dataset),
            linkers.cairn_links(dataset, QUALITY_SCHEMA, policy, options.policy),
        ]
        try:
            results.append(splink_links(dataset, options.seed))
        except Exception:  # reported: the F1 target cannot be judged without it
            report.errors["splink"] = traceback.format_exc(limit=3).strip().splitlines()[-1]
        report.quality = quality.evaluate(dataset, results)
        report.quality.generate_seconds = generated
        report.quality.load_seconds = loaded.seconds
    except Exception:
        report.errors["quality"] = traceback.format_exc(limit=5).strip().splitlines()[-1]
        traceback.print_exc()
    try:
        print(f"  latency: population of {options.population:,}", flush=True)
        report.latency = latency.run_latency(
            options.population,
            options.seed,
            options.samples,
            options.warmup,
            explain_to,
            options.matching_policy(),
        )
    except Exception:
        report.errors["latency"] = traceback.format_exc(limit=5).strip().splitlines()[-1]
        traceback.print_exc()
    return report


def main(argv: list[str]) -> int:
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m bench.matching", description=TITLE)
    defaults = Options.from_environment()
    for option in fields(Options):
        parser.add_argument(
            f"--{option.name.replace('_', '-')}",
            type=OPTION_TYPES[option.type],
            default=getattr(defaults, option.name),
        )
    arguments = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    options = Options(
        **{option.name: getattr(arguments, option.name) for option in fields(Options)}
    )
    report = run(options=options)
    print("\n".join(report.summary()))
    return 0 if report.valid else 1
