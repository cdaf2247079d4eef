"""The matching benchmark's figures, as printed after ``==== bench summary``."""

from __future__ import annotations

import statistics
from collections import Counter
from typing import Any

from bench.matching import (
    F1_SHARE_OF_SPLINK,
    MAX_P99_RATIO,
    MIN_PRECISION,
    RECALL_OVER_EXACT,
    TITLE,
)
from bench.matching.latency import PROBE_KINDS, kind_figures, percentile
from bench.matching.quality import QualityResult, best_threshold, splink_at
from bench.people_synth import GENERATOR_VERSION

OTHER_THRESHOLDS = (0.9, 0.99, 0.999)


def _verdict(met: bool) -> str:
    return "met" if met else "NOT MET"


def _quality_lines(result: QualityResult, seed: int) -> list[str]:
    dataset = result.dataset
    negatives = ", ".join(f"{kind} {count:,}" for kind, count in result.negatives.items())
    corruption = Counter(kind for probe in dataset.probes for kind in probe.corruptions)
    lines = [
        f"  data       generator v{GENERATOR_VERSION}, seed {seed}: master {result.master:,} "
        f"persons; {result.probes:,} probes, {result.in_master:,} whose person is in the "
        f"master, {result.probes - result.in_master:,} not ({negatives})",
        "             corruptions: "
        + ", ".join(f"{kind} {count:,}" for kind, count in corruption.most_common())
        + f"; {sum(not p.corruptions for p in dataset.probes):,} probes with none",
        f"             generated in {result.generate_seconds:.1f} s, master loaded into "
        f"PostgreSQL in {result.load_seconds:.1f} s",
        "  quality    linker          links  correct  precision  recall     F1    time",
    ]
    for links in result.linkers:
        score = result.scores[links.name]
        extra = f" ({links.notes['ambiguous']} ambiguous)" if "ambiguous" in links.notes else ""
        lines.append(
            f"             {links.name:<14} {score.links:>6,} {score.correct:>8,} "
            f"{score.precision:>10.4f} {score.recall:>7.4f} {score.f1:>6.4f} "
            f"{links.seconds:>6.1f} s{extra}"
        )
    names = [links.name for links in result.linkers]
    header = "".join(f"{name.split()[0]:>9}" for name in names)
    lines.append(f"  recall by corruption (probes in the master with it)     n{header}")
    first = result.breakdowns[names[0]]
    for kind, (_, total) in first.recall.items():
        cells = "".join(
            f"{(found / total if total else 0):>9.3f}"
            for found, _ in (result.breakdowns[name].recall[kind] for name in names)
        )
        lines.append(f"             {kind:<36} {total:>6,}{cells}")
    lines.append(f"  false links, probes whose person is not in the master   n{header}")
    for kind, (_, total) in first.false_links.items():
        cells = "".join(f"{result.breakdowns[name].false_links[kind][0]:>9,}" for name in names)
        lines.append(f"             {kind:<36} {total:>6,}{cells}")
    wrong = "".join(f"{result.breakdowns[name].wrong_person:>9,}" for name in names)
    lines.append(f"             {'in the master, linked to someone else':<36} {'':>6}{wrong}")
    for links in result.linkers:
        if links.name == "Cairn matcher":
            lines += _cairn_lines(result, links)
        if links.name == "splink":
            lines += _splink_lines(result, links)
    return lines


def _cairn_lines(result: QualityResult, links: Any) -> list[str]:
    possible = links.notes["possible"]
    score = result.scores[links.name]
    missed = result.in_master - score.correct - result.breakdowns[links.name].wrong_person
    return [
        f"  Cairn      {links.notes['policy']}; {links.notes['candidates_scored']:,} candidates "
        f"scored, {links.seconds / result.probes * 1000:.2f} ms a probe",
        f"             possible matches for a handler: {possible.probes:,} probes with no link "
        f"had some ({possible.offered:,} shown), {possible.truth_in_master:,} of them about "
        f"a person in the master, {possible.with_truth:,} showing that person",
        f"             of the {result.in_master:,} probes in the master: {score.correct:,} "
        f"linked right, {missed:,} not linked ({possible.with_truth:,} of those with the "
        f"person among the possible matches)",
        f"             recall counting the possible matches a handler would confirm: "
        f"{(score.correct + possible.with_truth) / result.in_master:.4f}; blocking finds the "
        f"person for {links.notes['blocked']:,} of the {result.in_master:,} (the ceiling: "
        f"{links.notes['blocked'] / result.in_master:.4f}); "
        f"{links.notes['nothing_to_block_on']:,} give a name and nothing else",
    ]


def _splink_lines(result: QualityResult, links: Any) -> list[str]:
    notes, dataset = links.notes, result.dataset
    others = ", ".join(
        f"{threshold:g} → {splink_at(dataset, notes['best'], threshold).f1:.4f}"
        for threshold in OTHER_THRESHOLDS
    )
    best_f1, threshold = best_threshold(dataset, notes["best"])
    return [
        f"  splink     {notes['version']} (DuckDB), link_only; prior {notes['prior']:.3g} "
        f"(deterministic rules, recall 0.7), u by random sampling, m by EM (blocks: date of "
        f"birth; full name); link = best master record at match probability ≥ "
        f"{notes['threshold']:g}; {notes['pairs']:,} pairs scored ≥ 0.01; "
        f"trained in {notes['training_seconds']:.1f} s",
        f"             F1 at other thresholds: {others}; best (picked with the labels, "
        f"so an upper bound): {best_f1:.4f} at {threshold:.4g}",
    ]


def _latency_lines(result: Any) -> list[str]:
    loaded, timings, split = result.loaded, result.timings, result.split
    how = (
        f"reused (loaded earlier in {loaded.seconds:.0f} s)"
        if loaded.reused
        else f"loaded by COPY, indexed and analysed in {loaded.seconds:.0f} s"
    )
    candidates = timings.candidates
    lines = [
        f"  latency    population {loaded.persons:,} people ({loaded.names:,} names, "
        f"{loaded.identifiers:,} identifiers, {loaded.addresses:,} addresses) in schema "
        f"{loaded.schema}, {how}",
        f"             {result.probes:,} timed calls of each after {result.warmup} warm-up, "
        f"interleaved, one Django connection",
        f"             exact phone lookup  {kind_figures(timings.exact_ns)}",
        f"             match_identity      {kind_figures(timings.match_ns)}; candidates "
        f"scored: median {statistics.median(candidates):g}, p99 "
        f"{percentile(candidates, 0.99):g}, max {max(candidates)}",
    ]
    for kind in PROBE_KINDS:
        values = [
            ns for ns, k in zip(timings.match_ns, timings.match_kind, strict=True) if k == kind
        ]
        sql, scoring = split.sql_ns.get(kind, []), split.score_ns.get(kind, [])
        lines.append(
            f"               {kind:<16} {kind_figures(values)}; apart (p50/p99): SQL "
            f"{statistics.median(sql) / 1000:,.0f}/{percentile(sql, 0.99) / 1000:,.0f} µs, "
            f"scoring {statistics.median(scoring) / 1000:,.0f}/"
            f"{percentile(scoring, 0.99) / 1000:,.0f} µs"
        )
    blocks = result.block_ratios()
    if blocks:
        unsteady = "" if result.steady() else " (over 50 %: the machine was not steady)"
        lines.append(
            f"             p99 ratio in each fifth of the run: "
            f"{', '.join(f'{ratio:.1f}' for ratio in blocks)}; spread "
            f"{result.spread() * 100:.0f} %{unsteady}"
        )
    if split.exact_cpu and split.match_cpu:
        exact, match = split.exact_cpu, split.match_cpu
        backend = "" if match.backend_us is not None else " (backend CPU not readable)"
        lines.append(
            f"             CPU per call, each kind run alone ({match.calls:,} calls): exact "
            f"{exact.process_us:,.0f} µs here + {exact.backend_us or 0:,.0f} µs in PostgreSQL, "
            f"match {match.process_us:,.0f} + {match.backend_us or 0:,.0f} µs: "
            f"{match.total_us / exact.total_us:.1f}×{backend}"
        )
    lines.append(
        f"             slowest matches, EXPLAIN (ANALYZE, BUFFERS) of candidates_sql "
        f"(plans: {split.explain_path or 'not written'}):"
    )
    lines += [f"               {line}" for line in split.slowest]
    return lines


def _target_lines(report: Any) -> list[str]:
    lines = []
    quality = report.quality
    if quality is not None:
        cairn = quality.scores.get("Cairn matcher")
        exact = quality.scores.get("exact rules")
        splink = quality.scores.get("splink")
        if cairn and splink:
            floor = F1_SHARE_OF_SPLINK * splink.f1
            lines.append(
                f"  target     F1: Cairn {cairn.f1:.4f} ≥ {F1_SHARE_OF_SPLINK} × splink "
                f"{splink.f1:.4f} = {floor:.4f}: {_verdict(cairn.f1 >= floor)}"
            )
        else:
            lines.append("  target     F1 against splink: NOT MEASURED")
        if cairn and exact:
            floor = exact.recall + RECALL_OVER_EXACT
            lines.append(
                f"  target     recall: Cairn {cairn.recall:.4f} ≥ exact {exact.recall:.4f} + "
                f"{RECALL_OVER_EXACT} = {floor:.4f}: {_verdict(cairn.recall >= floor)}; "
                f"precision: Cairn {cairn.precision:.4f} ≥ {MIN_PRECISION}: "
                f"{_verdict(cairn.precision >= MIN_PRECISION)}"
            )
    else:
        lines.append("  target     quality: NOT MEASURED")
    if report.latency is not None:
        latency = report.latency
        verdict = _verdict(latency.ratio() <= MAX_P99_RATIO)
        if not latency.steady():
            verdict = (
                f"INCONCLUSIVE (would be {verdict}; the fifths' ratios spread "
                f"{latency.spread() * 100:.0f} %: run again when the machine is quieter)"
            )
        lines.append(
            f"  target     p99: match {latency.match_p99_us():,.0f} µs / exact "
            f"{latency.exact_p99_us():,.0f} µs = {latency.ratio():.1f} ≤ {MAX_P99_RATIO:g}: "
            f"{verdict}"
        )
    else:
        lines.append("  target     latency: NOT MEASURED")
    return lines


def summary_lines(report: Any) -> list[str]:
    lines = [f"{report.name}: {TITLE}"]
    if report.quality is not None:
        lines += _quality_lines(report.quality, report.options.seed)
    if report.latency is not None:
        lines += _latency_lines(report.latency)
    lines += _target_lines(report)
    for part, message in report.errors.items():
        lines.append(f"  INVALID: {part}: {message}")
    return lines
