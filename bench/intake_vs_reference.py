"""Intake-style ORM create against the raw-SQL reference, interleaved.

ratio = intake req/s ÷ reference req/s, one ratio per round. Both endpoints run
in the same server process against the same database within seconds of each
other, so whatever slows the machine slows both, and the ratio stays put where
absolute figures drift. See bench/README.md for how to read the output.
"""

import json
from dataclasses import dataclass, field

from bench.load import LoadResult, post_load, rounds_line
from bench.plan import Plan, Ratios
from bench.server import Server

NAME = "intake_vs_reference"
TITLE = (
    "intake (validate; ORM create + domain event + audit event in one transaction) "
    "vs reference (one raw-SQL INSERT)"
)
REFERENCE = "/bench/reference"
INTAKE = "/bench/intake"

# One plausible report; both endpoints get the same bytes.
BODY = json.dumps(
    {
        "channel": "web",
        "narrative": (
            "A car has been parked across the dropped kerb outside number 14 every evening "
            "this week, so my neighbour cannot get her wheelchair out to the pavement."
        ),
        "postcode": "EH1 1YZ",
    }
)


class PreflightError(RuntimeError):
    pass


@dataclass
class Round:
    number: int
    reference: LoadResult
    intake: LoadResult

    @property
    def ratio(self) -> float:
        return self.intake.rate / self.reference.rate if self.reference.rate else 0.0


@dataclass
class Report:
    name: str
    rounds: list[Round] = field(default_factory=list)
    warmup_errors: int = 0
    server_errors: int = 0

    @property
    def ratios(self) -> Ratios:
        return Ratios(tuple(round_.ratio for round_ in self.rounds))

    @property
    def failed_requests(self) -> int:
        return sum(r.reference.error_count + r.intake.error_count for r in self.rounds)

    @property
    def valid(self) -> bool:
        """False when any measured request failed: then the req/s figures count errors."""
        return bool(self.rounds) and self.failed_requests == 0

    def verdict(self) -> str:
        if not self.valid:
            return f"INVALID ({self.failed_requests} measured requests failed; no ratio)"
        return self.ratios.verdict()

    def summary(self) -> list[str]:
        lines = [f"{self.name}: {TITLE}; ratio = intake req/s / reference req/s"]
        for label, pick in (("reference", _reference), ("intake", _intake)):
            results = [pick(r) for r in self.rounds]
            lines.append(rounds_line(label, results))
        ratios = self.ratios
        lines.append(ratios.line())
        lines.append(f"  {'verdict':<10} {self.verdict()}")
        if self.warmup_errors or self.server_errors:
            lines.append(
                f"  {'errors':<10} {self.warmup_errors} failed warm-up requests, "
                f"{self.server_errors} ERROR lines in the server log"
            )
        return lines


def _reference(round_: Round) -> LoadResult:
    return round_.reference


def _intake(round_: Round) -> LoadResult:
    return round_.intake


def preflight(server: Server) -> None:
    """One request to each endpoint first: a 404 or 400 must not pass for a fast answer."""
    for path in (REFERENCE, INTAKE):
        status = server.post_json(path, BODY.encode())
        if status != 201:
            hint = " (are the endpoints on? CAIRN_BENCH=1)" if status == 404 else ""
            raise PreflightError(f"POST {path} answered {status}, expected 201{hint}")


def run(server: Server, plan: Plan) -> Report:
    print(f"{NAME}: {TITLE}", flush=True)
    print(f"  {plan.describe()}", flush=True)
    preflight(server)
    report = Report(name=NAME)
    for number in range(1, plan.rounds + 1):
        # Alternate which endpoint goes first, so a slow drift in the machine
        # favours neither side.
        order = (REFERENCE, INTAKE) if number % 2 else (INTAKE, REFERENCE)
        results: dict[str, LoadResult] = {}
        for path in order:
            for seconds, measured in ((plan.warmup, False), (plan.duration, True)):
                result = post_load(
                    server.url(path),
                    BODY,
                    seconds=seconds,
                    connections=plan.connections,
                    threads=plan.threads,
                )
                if measured:
                    results[path] = result
                else:
                    report.warmup_errors += result.error_count
        round_ = Round(number, reference=results[REFERENCE], intake=results[INTAKE])
        report.rounds.append(round_)
        first = "reference first" if order[0] == REFERENCE else "intake first"
        print(
            f"  round {number}/{plan.rounds} ({first})\n"
            f"    reference {round_.reference.line()}\n"
            f"    intake    {round_.intake.line()}\n"
            f"    ratio     {round_.ratio:.3f}",
            flush=True,
        )
    report.server_errors = server.logged_errors()
    return report
