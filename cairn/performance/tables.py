"""Presentation-free reads for the dashboards: series, the overview's figures, queue status.

Everything here reads the rollup cells (cairn/performance/models.py) in a fixed
number of queries whatever the period, so a dashboard costs the same at ten
thousand contacts and at ten million. Labels are the interfaces' business:
these functions return codes and numbers.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    DateTimeField,
    Exists,
    Min,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractHour, Trunc
from django.utils import timezone

from cairn.contacts.models import Contact
from cairn.performance.measures import MEASURES
from cairn.performance.models import ALL, NO_BUCKET, Grain, RollupCell
from cairn.performance.queries import (
    LONDON,
    Figures,
    Filters,
    Period,
    days_q,
    period_q,
    place_q,
)
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


def _cells(codes, where: Q, filters: Filters, by: str | None = None):
    return RollupCell.objects.filter(where, place_q(filters, by), measure__in=list(codes))


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
    step = Trunc("starts", grain, output_field=DateField(), tzinfo=LONDON)
    where = days_q(period) if grain == "day" else period_q(period)
    rows = (
        _cells([code], where, filters or Filters())
        .filter(bucket=NO_BUCKET)
        .annotate(step=step)
        .values("step")
        .annotate(count=Sum("n"), summed=Sum("total"))
        .values_list("step", "count", "summed")
    )
    found = {step: (count, summed) for step, count, summed in rows}
    return [Point(step, *found.get(step, (0, 0.0))) for step in _steps(period, grain)]


def in_period(period: Period) -> Case:
    """True for a cell of ``period``, False for one of the period before it (read together)."""
    return Case(
        When(starts__gte=period.start, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


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

    def add(self, code: str, count: int, summed: float) -> None:
        self.n[code] = self.n.get(code, 0) + count
        self.total[code] = self.total.get(code, 0.0) + summed

    def count_by(self, dimension: str, code: str, value: str, count: int) -> None:
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
    """Several measures over ``period`` and the period before it, with counts by each of
    ``dimensions`` (division, channel, detail): one query for the totals and details, one
    per other dimension, one for the histograms."""
    if not set(dimensions) <= set(DIMENSIONS):
        raise ValueError(f"no breakdown by {dimensions!r}")
    if fold:
        catch_up()
    filters = filters or Filters()
    sides = {True: _empty_side(), False: _empty_side()}

    def cells(by: str | None = None):
        return _cells(codes, period_q(period.previous(), period), filters, by).annotate(
            current=in_period(period)
        )

    # The measures' totals and their details from the ALL rows (or the filtered ones).
    summaries = (
        cells()
        .filter(bucket=NO_BUCKET)
        .values("measure", "current", "detail")
        .annotate(count=Sum("n"), summed=Sum("total"))
        .values_list("measure", "current", "detail", "count", "summed")
    )
    for code, current, detail, count, summed in summaries:
        sides[current].add(code, count, summed)
        sides[current].count_by("detail", code, detail, count)
    # Each other breakdown from the rows kept by that dimension.
    for dimension in dimensions:
        if dimension == "detail":
            continue
        rows = (
            cells(by=dimension)
            .filter(bucket=NO_BUCKET)
            .values("measure", "current", dimension)
            .annotate(count=Sum("n"))
            .values_list("measure", "current", dimension, "count")
        )
        for code, current, value, count in rows:
            sides[current].count_by(dimension, code, value, count)
    with_bounds = [code for code in codes if MEASURES[code].has_distribution]
    if with_bounds:
        buckets = (
            cells()
            .filter(measure__in=with_bounds)
            .exclude(bucket=NO_BUCKET)
            .values("measure", "current", "bucket")
            .annotate(count=Sum("n"))
            .values_list("measure", "current", "bucket", "count")
        )
        for code, current, bucket, count in buckets:
            sides[current].add_to_histogram(code, bucket, count)
    return Comparison(period, sides[True], sides[False])


# By hour of the day ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HourProfile:
    """Facts per London hour of the day (0-23) in the period and the one before."""

    current: dict[int, int]
    previous: dict[int, int]


def hours_of_day(code: str, period: Period, filters: Filters | None = None) -> HourProfile | None:
    """The measure by hour of the day, from the hour cells. None when the filters ask for
    what hour cells do not keep (a division and a channel together, or a detail)."""
    filters = filters or Filters()
    if (filters.division and filters.channel) or filters.detail:
        return None
    earlier = period.previous()
    rows = (
        RollupCell.objects.filter(
            place_q(filters),
            grain=Grain.HOUR,
            measure=code,
            starts__gte=earlier.start,
            starts__lt=period.end,
        )
        .annotate(
            hour_of_day=ExtractHour("starts", tzinfo=LONDON),
            current=in_period(period),
        )
        .values("current", "hour_of_day")
        .annotate(count=Sum("n"))
        .values_list("current", "hour_of_day", "count")
    )
    sides: dict[bool, dict[int, int]] = {True: {}, False: {}}
    for current, hour, count in rows:
        sides[current][hour] = sides[current].get(hour, 0) + count
    return HourProfile(sides[True], sides[False])


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


# The London month a cell falls in, as the month's first moment: a month cell's own start
# (nothing to compute), else worked out from the day cell's.
MONTH_START = RawSQL(
    "CASE WHEN performance_rollupcell.grain = 'month' THEN performance_rollupcell.starts"
    " ELSE date_trunc('month', performance_rollupcell.starts AT TIME ZONE 'Europe/London')"
    " AT TIME ZONE 'Europe/London' END",
    [],
    output_field=DateTimeField(),
)
# The London month a cell falls in, as a date computed by the database (the rows are many).
LONDON_MONTH = RawSQL(
    "(date_trunc('month', performance_rollupcell.starts AT TIME ZONE 'Europe/London'))::date",
    [],
    output_field=DateField(),
)


def by_month_and_division(codes, period: Period, histograms=None) -> Grid:
    """Several measures per calendar month and division, with a whole-force row per month.

    ``histograms``: the measures whose distributions are wanted (default: every one that
    has one); the others come with counts and totals only, which is far fewer rows.
    Reads only the cells (no catch-up): publication shows whole months, which the
    periodic task has folded long before anyone reads them.
    """
    month = LONDON_MONTH
    # Every division's rows and the force's (ALL), over all channels.
    cells = RollupCell.objects.filter(
        period_q(period), measure__in=list(codes), channel=ALL
    ).annotate(month=month)
    found: dict[tuple[date, str], Side] = defaultdict(_empty_side)

    def key(step: date, division: str) -> tuple[date, str] | None:
        if division == ALL:
            return step, ""
        return (step, division) if division else None  # "" is not located: no division

    summaries = (
        cells.filter(bucket=NO_BUCKET)
        .values("measure", "month", "division", "detail")
        .annotate(count=Sum("n"), summed=Sum("total"))
        .values_list("measure", "month", "division", "detail", "count", "summed")
    )
    for code, step, division, detail, count, summed in summaries:
        if place := key(step, division):
            found[place].add(code, count, summed)
            found[place].count_by("detail", code, detail, count)
    with_bounds = [
        code
        for code in codes
        if MEASURES[code].has_distribution and (histograms is None or code in histograms)
    ]
    buckets = (
        cells.filter(measure__in=with_bounds)
        .exclude(bucket=NO_BUCKET)
        .values("measure", "month", "division", "bucket")
        .annotate(count=Sum("n"))
        .values_list("measure", "month", "division", "bucket", "count")
    )
    for code, step, division, bucket, count in buckets:
        if place := key(step, division):
            found[place].add_to_histogram(code, bucket, count)
    divisions = sorted({division for _month, division in found if division})
    return Grid(_steps(period, "month"), divisions, dict(found))


def _bucket_sql(code: str, period: Period) -> tuple[str, list]:
    """The SQL (and its parameters) of ``code``'s histogram per month and division (ALL
    included), over all channels: the source of the two statistics below."""
    cells = (
        RollupCell.objects.filter(period_q(period), measure=code, channel=ALL)
        .exclude(bucket=NO_BUCKET)
        .annotate(month=MONTH_START)
        .values("month", "division", "bucket")
        .annotate(count=Sum("n"))
        .values_list("month", "division", "bucket", "count")
    )
    return cells.query.sql_with_params()


def _by_place(rows) -> dict[tuple[date, str], float]:
    return {
        (month, "" if division == ALL else division): value
        for month, division, value in rows
        if division  # "" is not located: no division
    }


def percentile_by_month_and_division(code: str, period: Period, p: float):
    """The nearest-rank ``p``-th percentile of ``code`` per month and division, computed by
    the database (a year of histograms is tens of thousands of rows; the answer is a few
    hundred). The same rule as ``Figures.percentile``: a bucket's lower bound."""
    histogram, parameters = _bucket_sql(code, period)
    bounds = [float(bound) for bound in MEASURES[code].bounds]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH histogram AS ({histogram}),
            ranked AS (
                SELECT month, division, bucket,
                       sum(count) OVER (PARTITION BY month, division ORDER BY bucket) AS seen,
                       sum(count) OVER (PARTITION BY month, division) AS counted
                FROM histogram
            )
            SELECT (month AT TIME ZONE 'Europe/London')::date, division,
                   (%s::float8[])[min(bucket) + 1]
            FROM ranked WHERE seen >= greatest(1, ceil(%s * counted / 100.0))
            GROUP BY month, division
            """,  # noqa: S608 (the inner query is Django's, with its parameters)
            [*parameters, bounds, p],
        )
        return _by_place(cursor.fetchall())


def share_below_by_month_and_division(code: str, period: Period, limit: float):
    """The share of ``code``'s values under ``limit`` (a bucket boundary) per month and
    division, from 0 to 1, computed by the database. As ``Figures.share_below``."""
    histogram, parameters = _bucket_sql(code, period)
    below = sum(1 for bound in MEASURES[code].bounds if bound < limit)  # buckets 0..below-1
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH histogram AS ({histogram})
            SELECT (month AT TIME ZONE 'Europe/London')::date, division,
                   (sum(count) FILTER (WHERE bucket < %s))::float8 / sum(count)
            FROM histogram GROUP BY month, division
            """,  # noqa: S608
            [*parameters, below],
        )
        return _by_place(
            (month, division, share or 0.0) for month, division, share in cursor.fetchall()
        )


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
