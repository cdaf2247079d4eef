"""The published table: headline measures by month and division, no personal data.

Only counts, shares and averages from the rollups. A share or an average resting
on fewer than ``SMALLEST`` facts is left out (too few to mean anything, and
the nearer a figure is to one person the more it could say about them).
"""

from dataclasses import dataclass
from datetime import date

from django.core.cache import cache

from cairn.performance.queries import Figures, Period, folded_up_to
from cairn.performance.tables import (
    Grid,
    by_month_and_division,
    last_full_months,
    percentile_by_month_and_division,
    share_below_by_month_and_division,
)

SMALLEST = 5
CACHE_SECONDS = 15 * 60  # a bound only: the key changes with every catch-up
CODES = (
    "contacts",
    "failure_demand",
    "answer_999",
    "answer_101",
    "appointment_wait",
    "appointment_outcomes",
    "satisfaction",
    "complaints",
)
COLUMNS = (
    "month",
    "division",
    "contacts",
    "failure_demand_percent",
    "calls_999_answered_within_10s_percent",
    "calls_101_mean_seconds_to_answer",
    "appointments_median_wait_hours",
    "appointments_attended_percent",
    "satisfaction_mean_1_to_5",
    "complaints",
)


@dataclass(frozen=True)
class Row:
    month: date
    division: str  # a code, or "" for the whole force
    values: tuple  # in COLUMNS' order after month and division; None: not published

    def cells(self) -> list:
        return [self.month.strftime("%Y-%m"), self.division or "ALL", *self.values]


def _enough(figures: Figures) -> bool:
    return figures.n >= SMALLEST


def _percent(top: int, bottom: int) -> float | None:
    return round(100 * top / bottom, 1) if bottom >= SMALLEST else None


def _row(grid: Grid, month: date, division: str, within_10: dict, median_wait: dict) -> Row:
    def of(code: str) -> Figures:
        return grid.figures(code, month, division)

    contacts, answered_999 = of("contacts"), of("answer_999")
    answer_101, wait = of("answer_101"), of("appointment_wait")
    satisfaction = of("satisfaction")
    side = grid.cells.get((month, division))
    outcomes = side.counts("appointment_outcomes") if side else {}
    share_within_10 = within_10.get((month, division))
    wait_minutes = median_wait.get((month, division))
    return Row(
        month,
        division,
        (
            contacts.n,
            _percent(of("failure_demand").n, contacts.n),
            round(100 * share_within_10, 1)
            if _enough(answered_999) and share_within_10 is not None
            else None,
            round(answer_101.mean, 1) if _enough(answer_101) else None,
            round(wait_minutes / 60, 1) if _enough(wait) and wait_minutes is not None else None,
            _percent(outcomes.get("attended", 0), sum(outcomes.values())),
            round(satisfaction.mean, 2) if _enough(satisfaction) else None,
            of("complaints").n,
        ),
    )


def published_rows(today: date | None = None) -> list[Row]:
    """The last 12 whole months, newest first; in each, the force then each division.

    Computed once per catch-up of the rollups (about a minute) and served from the cache
    in between: a public page may be asked often, and its figures only change when the
    cells do."""
    months = last_full_months(12, today)
    key = f"open-data:{months.first}:{months.last}:{folded_up_to()}"
    rows = cache.get(key)
    if rows is None:
        rows = _computed_rows(months)
        cache.set(key, rows, CACHE_SECONDS)
    return rows


def _computed_rows(months: Period) -> list[Row]:
    grid = by_month_and_division(CODES, months, histograms=())
    within_10 = share_below_by_month_and_division("answer_999", months, 10)
    median_wait = percentile_by_month_and_division("appointment_wait", months, 50)
    return [
        _row(grid, month, division, within_10, median_wait)
        for month in reversed(grid.months)
        for division in ("", *grid.divisions)
    ]
