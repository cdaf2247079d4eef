"""Reading the measures from the rollup cells (never from the raw contacts).

Periods are London dates, inclusive at both ends: ``Period(date(2026, 11, 1),
date(2026, 11, 30))`` is November. Every read first folds in what the event log
gained since the last fold (``rollups.catch_up``), so a figure is never older
than the request. Percentiles use the nearest-rank method over the measure's
histogram: exact where the buckets are one unit wide (every second up to a
minute for answer times).
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q, Sum

from cairn.performance.measures import MEASURES, Measure
from cairn.performance.models import ALL, NO_BUCKET, Grain, RollupCell, RollupState
from cairn.performance.rollups import catch_up

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def __post_init__(self):
        if self.last < self.first:
            raise ValueError("a period ends on or after the day it starts")

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=LONDON)

    @property
    def end(self) -> datetime:
        """The first moment after the period (midnight after its last day, London)."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=LONDON)

    def previous(self) -> "Period":
        """The period of the same length just before this one, for comparison."""
        days = (self.last - self.first).days + 1
        return Period(self.first - timedelta(days=days), self.first - timedelta(days=1))


@dataclass(frozen=True)
class Filters:
    division: str = ""
    channel: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Figures:
    measure: Measure
    period: Period
    n: int
    total: float
    histogram: dict[int, int] = field(default_factory=dict)  # bucket index -> count

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    def percentile(self, p: float) -> float | None:
        """The nearest-rank ``p``-th percentile (0 < p ≤ 100): a bucket's lower bound."""
        counted = sum(self.histogram.values())
        if not counted or not self.measure.bounds:
            return None
        rank = max(1, math.ceil(p / 100 * counted))
        seen = 0
        for bucket in sorted(self.histogram):
            seen += self.histogram[bucket]
            if seen >= rank:
                return float(self.measure.bounds[max(0, bucket)])
        return float(self.measure.bounds[-1])

    def share_below(self, limit: float) -> float | None:
        """The share of values under ``limit`` (a bucket boundary), from 0 to 1."""
        counted = sum(self.histogram.values())
        if not counted:
            return None
        below = sum(
            count
            for bucket, count in self.histogram.items()
            if bucket >= 0 and self.measure.bounds[bucket] < limit
        )
        return below / counted


def _month_after(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


def grain_slices(period: Period) -> list[tuple[str, date, date]]:
    """The period as the fewest cells: whole months as month cells, the days either side
    as day cells. Each slice is (grain, first day, the day after it)."""
    after = period.last + timedelta(days=1)
    first_whole = period.first if period.first.day == 1 else _month_after(period.first)
    end_whole = after.replace(day=1)
    if first_whole >= end_whole:
        return [(Grain.DAY, period.first, after)]
    slices = [
        (Grain.DAY, period.first, first_whole),
        (Grain.MONTH, first_whole, end_whole),
        (Grain.DAY, end_whole, after),
    ]
    return [(grain, start, end) for grain, start, end in slices if start < end]


def period_q(*periods: Period) -> Q:
    """The cells that together hold exactly ``periods`` (each sliced on its own, so a
    month cell never straddles the boundary between two of them)."""
    found = Q(pk__in=[])
    for period in periods:
        for grain, start, end in grain_slices(period):
            found |= Q(grain=grain, starts__gte=_midnight(start), starts__lt=_midnight(end))
    return found


def days_q(period: Period) -> Q:
    """The period's day cells, for a series by day."""
    return Q(grain=Grain.DAY, starts__gte=period.start, starts__lt=period.end)


def place_q(filters: Filters, by: str | None = None) -> Q:
    """The division and channel rows to read: the one filtered on, every value of the
    dimension broken down ``by``, or else the ALL row, which holds them added up."""
    found = Q()
    for name in ("division", "channel"):
        chosen = getattr(filters, name)
        if chosen:
            found &= Q(**{name: chosen})
        elif by == name:
            found &= ~Q(**{name: ALL})
        else:
            found &= Q(**{name: ALL})
    if filters.detail:
        found &= Q(detail=filters.detail)
    return found


def _cells(measure: Measure, period: Period, filters: Filters, by: str | None = None):
    return RollupCell.objects.filter(period_q(period), place_q(filters, by), measure=measure.code)


def figures(code: str, period: Period, filters: Filters | None = None, *, fold=True) -> Figures:
    """The measure's count, total and distribution over ``period``."""
    if fold:
        catch_up()
    measure = MEASURES[code]
    filters = filters or Filters()
    cells = _cells(measure, period, filters)
    summary = cells.filter(bucket=NO_BUCKET).aggregate(n=Sum("n"), total=Sum("total"))
    histogram = {}
    if measure.has_distribution:
        histogram = dict(
            cells.exclude(bucket=NO_BUCKET)
            .values("bucket")
            .annotate(count=Sum("n"))
            .values_list("bucket", "count")
        )
    return Figures(
        measure=measure,
        period=period,
        n=summary["n"] or 0,
        total=summary["total"] or 0.0,
        histogram=histogram,
    )


def breakdown(code: str, period: Period, by: str, filters: Filters | None = None) -> dict[str, int]:
    """Counts per division, channel or detail over ``period``, largest first."""
    if by not in ("division", "channel", "detail"):
        raise ValueError(f"no breakdown by {by!r}")
    catch_up()
    rows = (
        _cells(MEASURES[code], period, filters or Filters(), by=None if by == "detail" else by)
        .filter(bucket=NO_BUCKET)
        .values(by)
        .annotate(count=Sum("n"))
        .order_by("-count", by)
        .values_list(by, "count")
    )
    return dict(rows)


def folded_up_to() -> str:
    """The snapshot the rollups were last folded to: it changes with every catch-up, so it
    says whether a figure computed from the cells may still be served."""
    return RollupState.objects.filter(pk=1).values_list("snapshot", flat=True).first() or ""


def rate(numerator: str, denominator: str, period: Period, filters: Filters | None = None):
    """``numerator``'s count over ``denominator``'s (e.g. failure demand over contacts)."""
    catch_up()
    top = figures(numerator, period, filters, fold=False).n
    bottom = figures(denominator, period, filters, fold=False).n
    return top / bottom if bottom else None
