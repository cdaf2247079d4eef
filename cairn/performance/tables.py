"""Presentation-free reads for the dashboards: series, the overview's figures, queue status.

Everything here reads the rollup cells (cairn/performance/models.py) in a fixed
number of queries whatever the period, so a dashboard costs the same at ten
thousand contacts and at ten million. Labels are the interfaces' business:
these functions return codes and numbers.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    Min,
    OuterRef,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Trunc
from django.utils import timezone

from cairn.contacts.models import Contact
from cairn.performance.measures import MEASURES
from cairn.performance.models import NO_BUCKET, RollupCell
from cairn.performance.queries import LONDON, Figures, Filters, Period
from cairn.performance.rollups import catch_up
from cairn.triage.models import Decision
from cairn.triage.queries import WAITING_STATUSES

GRAINS = ("day", "month")


def london_today() -> date:
    return timezone.now().astimezone(LONDON).date()


def last_full_days(days: int = 28, today: date | None = None) -> Period:
    """The ``days`` whole London days before today (today is not over yet)."""
    last = (today or london_today()) - timedelta(days=1)
    return Period(last - timedelta(days=days - 1), last)


def last_full_months(months: int = 12, today: date | None = None) -> Period:
    """The ``months`` whole calendar months before the current one."""
    first_of_this_month = (today or london_today()).replace(day=1)
    last = first_of_this_month - timedelta(days=1)
    first = first_of_this_month
    for _ in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
    return Period(first, last)


def _steps(period: Period, grain: str) -> list[date]:
    steps, step = [], period.first if grain == "day" else period.first.replace(day=1)
    while step <= period.last:
        steps.append(step)
        step = step + timedelta(days=1) if grain == "day" else (step + timedelta(days=32))
        if grain == "month":
            step = step.replace(day=1)
    return steps


def _cells(codes, period: Period, filters: Filters):
    return RollupCell.objects.filter(
        filters.q(), measure__in=list(codes), hour__gte=period.start, hour__lt=period.end
    )


# A measure's series ------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One day (or month) of a measure: how many facts, their summed value."""

    starts: date
    n: int
    total: float

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None


def series(
    code: str, period: Period, filters: Filters | None = None, grain: str = "day", *, fold=True
) -> list[Point]:
    """The measure per London day (or month) over ``period``, empty steps included."""
    if grain not in GRAINS:
        raise ValueError(f"no series by {grain!r}")
    if fold:
        catch_up()
    step = Trunc("hour", grain, output_field=DateField(), tzinfo=LONDON)
    rows = (
        _cells([code], period, filters or Filters())
        .filter(bucket=NO_BUCKET)
        .annotate(step=step)
        .values("step")
        .annotate(count=Sum("n"), summed=Sum("total"))
        .values_list("step", "count", "summed")
    )
    found = {step: (count, summed) for step, count, summed in rows}
    return [Point(step, *found.get(step, (0, 0.0))) for step in _steps(period, grain)]


# Several measures over a period and the one before, in two queries ------------------------


DIMENSIONS = ("division", "channel", "detail")


@dataclass
class Side:
    """What one period holds of several measures: summaries, breakdowns, histograms."""

    n: dict[str, int]
    total: dict[str, float]
    by: dict[str, dict[str, dict[str, int]]]  # dimension -> measure -> value -> count
    histograms: dict[str, dict[int, int]]

    def figures(self, code: str, period: Period) -> Figures:
        return Figures(
            measure=MEASURES[code],
            period=period,
            n=self.n.get(code, 0),
            total=self.total.get(code, 0.0),
            histogram=self.histograms.get(code, {}),
        )

    def counts(self, code: str, dimension: str = "detail") -> dict[str, int]:
        return self.by.get(dimension, {}).get(code, {})

    def detail(self, code: str, value: str) -> int:
        return self.counts(code).get(value, 0)

    def add(self, code: str, values: dict[str, str], count: int, summed: float) -> None:
        self.n[code] = self.n.get(code, 0) + count
        self.total[code] = self.total.get(code, 0.0) + summed
        for dimension, value in values.items():
            counted = self.by.setdefault(dimension, {}).setdefault(code, {})
            counted[value] = counted.get(value, 0) + count

    def add_to_histogram(self, code: str, bucket: int, count: int) -> None:
        histogram = self.histograms.setdefault(code, {})
        histogram[bucket] = histogram.get(bucket, 0) + count


def _empty_side() -> Side:
    return Side({}, {}, {}, {})


@dataclass(frozen=True)
class Comparison:
    period: Period
    current: Side
    previous: Side

    def figures(self, code: str) -> tuple[Figures, Figures]:
        return (
            self.current.figures(code, self.period),
            self.previous.figures(code, self.period.previous()),
        )


def compare(
    codes,
    period: Period,
    filters: Filters | None = None,
    *,
    dimensions: tuple[str, ...] = ("detail",),
    fold=True,
) -> Comparison:
    """Several measures over ``period`` and the period before it, in two queries,
    with counts by each of ``dimensions`` (division, channel, detail)."""
    if not set(dimensions) <= set(DIMENSIONS):
        raise ValueError(f"no breakdown by {dimensions!r}")
    if fold:
        catch_up()
    filters = filters or Filters()
    earlier = period.previous()
    cells = _cells(codes, Period(earlier.first, period.last), filters).annotate(
        current=Case(
            When(hour__gte=period.start, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
    sides = {True: _empty_side(), False: _empty_side()}
    summaries = (
        cells.filter(bucket=NO_BUCKET)
        .values("measure", "current", *dimensions)
        .annotate(count=Sum("n"), summed=Sum("total"))
        .values_list("measure", "current", "count", "summed", *dimensions)
    )
    for code, current, count, summed, *values in summaries:
        sides[current].add(code, dict(zip(dimensions, values, strict=True)), count, summed)
    with_bounds = [code for code in codes if MEASURES[code].has_distribution]
    if with_bounds:
        buckets = (
            cells.filter(measure__in=with_bounds)
            .exclude(bucket=NO_BUCKET)
            .values("measure", "current", "bucket")
            .annotate(count=Sum("n"))
            .values_list("measure", "current", "bucket", "count")
        )
        for code, current, bucket, count in buckets:
            sides[current].add_to_histogram(code, bucket, count)
    return Comparison(period, sides[True], sides[False])


# By month and division, for publication -----------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """Measures by month and division; division "" holds the whole force."""

    months: list[date]
    divisions: list[str]
    cells: dict[tuple[date, str], Side]

    def figures(self, code: str, month: date, division: str) -> Figures:
        side = self.cells.get((month, division)) or _empty_side()
        return side.figures(code, Period(month, month))


def by_month_and_division(codes, period: Period) -> Grid:
    """Several measures per calendar month and division, with a whole-force row per month.

    Reads only the cells (no catch-up): publication shows whole months, which the
    periodic task has folded long before anyone reads them.
    """
    month = Trunc("hour", "month", output_field=DateField(), tzinfo=LONDON)
    cells = _cells(codes, period, Filters()).annotate(month=month)
    found: dict[tuple[date, str], Side] = defaultdict(_empty_side)
    summaries = (
        cells.filter(bucket=NO_BUCKET)
        .values("measure", "month", "division", "detail")
        .annotate(count=Sum("n"), summed=Sum("total"))
        .values_list("measure", "month", "division", "detail", "count", "summed")
    )
    for code, step, division, detail, count, summed in summaries:
        for key in {(step, division), (step, "")}:
            found[key].add(code, {"detail": detail}, count, summed)
    with_bounds = [code for code in codes if MEASURES[code].has_distribution]
    buckets = (
        cells.filter(measure__in=with_bounds)
        .exclude(bucket=NO_BUCKET)
        .values("measure", "month", "division", "bucket")
        .annotate(count=Sum("n"))
        .values_list("measure", "month", "division", "bucket", "count")
    )
    for code, step, division, bucket, count in buckets:
        for key in {(step, division), (step, "")}:
            found[key].add_to_histogram(code, bucket, count)
    divisions = sorted({division for _month, division in found if division})
    return Grid(_steps(period, "month"), divisions, dict(found))


def values_seen(code: str, dimension: str, *sides: Side) -> list[str]:
    """Every value of ``dimension`` seen on any side, most frequent first."""
    counted: dict[str, int] = defaultdict(int)
    for side in sides:
        for value, count in side.counts(code, dimension).items():
            counted[value] += count
    return sorted(counted, key=lambda value: (-counted[value], value))


# The queue now -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueStatus:
    waiting: int
    longest_wait: timedelta | None
    handlers_claiming: int


def queue_status(filters: Filters | None = None, now: datetime | None = None) -> QueueStatus:
    """Contacts waiting for a decision now, the longest wait, and how many handlers hold
    a claim on one: counts only, in one query (the queue page shows who and what)."""
    filters = filters or Filters()
    decided = Decision.objects.filter(contact=OuterRef("pk"))
    waiting = Contact.objects.filter(status__in=WAITING_STATUSES).filter(~Exists(decided))
    if filters.division:
        waiting = waiting.filter(division_id=filters.division)
    if filters.channel:
        waiting = waiting.filter(channel=filters.channel)
    found = waiting.aggregate(
        count=Count("pk"),
        oldest=Min("received_at"),
        handlers=Count("triage_claim__handler", distinct=True),
    )
    now = now or timezone.now()
    return QueueStatus(
        waiting=found["count"],
        longest_wait=now - found["oldest"] if found["oldest"] else None,
        handlers_claiming=found["handlers"],
    )
