"""What a run does (from the command line) and how its per-round ratios are judged."""

import statistics
from dataclasses import dataclass, field

MIN_ROUNDS = 5
# Per-round ratios further apart than this (relative to their median) mean the
# machine was not steady enough for the median to be trusted.
MAX_SPREAD = 0.20


@dataclass(frozen=True)
class Plan:
    rounds: int = MIN_ROUNDS
    warmup: int = 1  # seconds per endpoint per round, discarded
    duration: int = 5  # seconds measured per endpoint per round
    connections: int = 16
    threads: int = 1  # wrk threads; one is plenty at a few thousand req/s
    workers: int = 2  # granian workers, as `make run` starts it
    server_threads: int | None = None  # granian blocking threads per worker; None: make run's
    # Extra environment for the server (and this process's own settings), e.g.
    # CAIRN_DB_CONN_MAX_AGE=0; printed with the figures so none is hidden.
    server_env: dict[str, str] = field(default_factory=dict)
    # Synthetic history sizes for the dashboards benchmark (contacts).
    demand_sizes: tuple[int, ...] = (1_000_000, 10_000_000)

    def describe(self) -> str:
        return (
            f"{self.rounds} rounds; each: {self.warmup} s warm-up + {self.duration} s measured "
            f"per endpoint, order alternating; wrk {self.threads} thread(s), "
            f"{self.connections} keep-alive connections, loopback"
        )


@dataclass(frozen=True)
class Ratios:
    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def spread(self) -> float:
        """(max - min) / median of the per-round ratios."""
        median = self.median
        return (max(self.values) - min(self.values)) / median if median else float("inf")

    def conclusive(self, max_spread: float = MAX_SPREAD) -> bool:
        return len(self.values) >= MIN_ROUNDS and self.spread <= max_spread

    def line(self, label: str = "ratio") -> str:
        """The summary line: median, each round's ratio, spread."""
        return (
            f"  {label:<10} median {self.median:.3f}  rounds "
            + " ".join(f"{value:.3f}" for value in self.values)
            + f"  spread {self.spread * 100:.1f} %"
        )

    def verdict(self, max_spread: float = MAX_SPREAD) -> str:
        if len(self.values) < MIN_ROUNDS:
            return f"INCONCLUSIVE (fewer than {MIN_ROUNDS} rounds)"
        if self.spread > max_spread:
            return f"INCONCLUSIVE (spread > {max_spread * 100:.0f} %)"
        return f"OK (spread ≤ {max_spread * 100:.0f} %)"
