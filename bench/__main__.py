"""python -m bench [names…] — run all benchmarks, or the named ones, and print figures.

Run it through `make bench` (which starts a dedicated embedded PostgreSQL in
var/pgbench, migrates it and sets DATABASE_URL), e.g.

    make bench
    make bench ARGS="intake_vs_reference --rounds 7 --duration 8"
"""

import argparse
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from types import ModuleType

from bench import (
    api_intake,
    dashboards,
    intake_vs_reference,
    matching,
    outbox,
    queue_live,
    rollup_cost,
    triage_suggest,
)
from bench.load import LoadError, wrk_executable
from bench.plan import MIN_ROUNDS, Plan
from bench.rate import RateError

# name -> module with NAME, TITLE and run(server, plan) -> report (summary(), valid).
BENCHMARKS: dict[str, ModuleType] = {
    module.NAME: module
    for module in (
        intake_vs_reference,
        api_intake,
        triage_suggest,
        queue_live,
        matching,
        outbox,
        rollup_cost,
        dashboards,
    )
}
# Run only when named: the first run of each makes a database of millions of rows.
ON_REQUEST = {dashboards.NAME}
DEFAULT = [name for name in BENCHMARKS if name not in ON_REQUEST]


def _environment_pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError("expected NAME=VALUE")
    return name, value


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part.replace("_", "")) for part in text.split(","))
    except ValueError as error:
        raise argparse.ArgumentTypeError("expected sizes such as 1000000,10000000") from error
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be at least 1")
    return sizes


def _at_least(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}")
        return value

    return parse


def parse_arguments(argv: list[str]) -> tuple[list[str], Plan]:
    defaults = Plan()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "names",
        nargs="*",
        help=f"benchmarks to run (default: {', '.join(DEFAULT)}; on request:"
        f" {', '.join(sorted(ON_REQUEST))})",
    )
    parser.add_argument(
        "--contacts",
        type=_sizes,
        default=defaults.demand_sizes,
        help="dashboards: synthetic history sizes, comma-separated (1000000,10000000)",
    )
    parser.add_argument("--rounds", type=_at_least(MIN_ROUNDS), default=defaults.rounds)
    parser.add_argument("--warmup", type=_at_least(1), default=defaults.warmup, help="seconds")
    parser.add_argument("--duration", type=_at_least(1), default=defaults.duration, help="seconds")
    parser.add_argument("--connections", type=_at_least(1), default=defaults.connections)
    parser.add_argument("--threads", type=_at_least(1), default=defaults.threads)
    parser.add_argument("--workers", type=_at_least(1), default=defaults.workers)
    parser.add_argument(
        "--server-threads",
        type=_at_least(1),
        default=None,
        help="granian blocking threads per worker (default: as make run starts it)",
    )
    parser.add_argument(
        "--env",
        type=_environment_pair,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the server under test (printed with the figures)",
    )
    arguments = parser.parse_args(argv)
    unknown = [name for name in arguments.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    if arguments.connections < arguments.threads:
        parser.error("--connections must be at least --threads")
    plan = Plan(
        rounds=arguments.rounds,
        warmup=arguments.warmup,
        duration=arguments.duration,
        connections=arguments.connections,
        threads=arguments.threads,
        workers=arguments.workers,
        server_threads=arguments.server_threads,
        server_env=dict(arguments.env),
        demand_sizes=arguments.contacts,
    )
    return arguments.names or DEFAULT, plan


def main(argv: list[str]) -> int:
    names, plan = parse_arguments(argv)
    if not os.environ.get("DATABASE_URL"):
        print("bench: DATABASE_URL is not set; run `make bench` (it starts var/pgbench).")
        return 2
    if not wrk_executable():
        print("bench: wrk is not installed; `make system-packages` installs it.")
        return 2
    # Before Django reads its settings, so the facts describe the server's settings.
    os.environ.update(plan.server_env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
    import django

    django.setup()
    from bench import facts
    from bench.server import ServerError, running_server

    started = datetime.now(UTC)
    header = [
        f"when       {started:%Y-%m-%d %H:%M} UTC, commit {facts.commit()}",
        f"machine    {facts.cpus()}, {facts.cpu_model()}, {facts.memory_gib()}",
        f"software   {facts.software()}",
        f"database   {facts.database()}",
    ]
    load_before = facts.load_average()
    print("\n".join(header), flush=True)
    print(f"load avg   {load_before} (1, 5, 15 min) before the run", flush=True)

    reports = []
    try:
        with running_server(plan.workers, plan.server_threads) as server:
            server_line = f"server     {server.describe()} with CAIRN_BENCH=1"
            if plan.server_env:
                server_line += ", " + ", ".join(f"{k}={v}" for k, v in plan.server_env.items())
            print(f"{server_line}\n           (server log: {server.log_path})\n", flush=True)
            for name in names:
                reports.append(BENCHMARKS[name].run(server, plan))
                print(flush=True)
    except (
        ServerError,
        LoadError,
        RateError,
        intake_vs_reference.PreflightError,
        api_intake.PreflightError,
        outbox.PreflightError,
        dashboards.PreflightError,
        rollup_cost.PreflightError,
    ) as error:
        print(f"bench: {error}", flush=True)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted; the server was stopped", flush=True)
        return 130

    print("==== bench summary " + "=" * 61)
    print("\n".join(header))
    print(f"load avg   {load_before} before, {facts.load_average()} after (1, 5, 15 min)")
    print(server_line)
    print(f"method     {plan.describe()}")
    for report in reports:
        print("\n".join(report.summary()))
    print("=" * 80, flush=True)
    return 0 if all(report.valid for report in reports) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
