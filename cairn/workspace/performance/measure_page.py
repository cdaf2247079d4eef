"""What a measure's page shows: its figures against the previous period, the daily table
(which the chart draws and the downloads hold), and breakdowns by division, channel and detail.
"""

from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cairn.contacts.models import Channel
from cairn.performance.measures import Measure
from cairn.performance.queries import Period
from cairn.performance.tables import Comparison, HourProfile, Point, values_seen
from cairn.workspace.performance.headlines import UNITS, Headline

CHANNELS = dict(Channel.choices)


# Longer periods are shown month by month: a year of days is no table to read.
LONGEST_BY_DAY = 92


def grain_for(period: Period) -> str:
    return "day" if (period.last - period.first).days < LONGEST_BY_DAY else "month"


@dataclass(frozen=True)
class DailyTable:
    headers: list[str]
    rows: list[list]  # [day, count] or [day, count, mean]: exactly what the downloads hold
    charts_mean: bool
    chart_title: str
    chart_description: str
    grain: str = "day"

    def chart_bars(self) -> list[tuple[str, float | None]]:
        column = 2 if self.charts_mean else 1
        label = "j M" if self.grain == "day" else "M Y"
        return [(date_format(row[0], label), row[column]) for row in self.rows]


def daily_table(measure: Measure, points: list[Point], grain: str = "day") -> DailyTable:
    """The measure day by day (or month by month): the chart, the table and the downloads."""
    charts_mean = measure.unit != "count"
    headers = [_("Day") if grain == "day" else _("Month"), _("Count")]
    if charts_mean:
        headers.append(_("Mean (%(unit)s)") % {"unit": UNITS[measure.unit]})
    rows: list[list] = []
    for point in points:
        row: list = [point.starts, point.n]
        if charts_mean:
            row.append(round(point.mean, 1) if point.mean is not None else None)
        rows.append(row)
    title = str(measure.title)
    if grain == "month":
        description = (
            _(
                "The mean per month, from %(first)s to %(last)s; the table below has each "
                "month's figures."
            )
            if charts_mean
            else _(
                "The count per month, from %(first)s to %(last)s; the table below has each "
                "month's figures."
            )
        )
    elif charts_mean:
        description = _(
            "The mean per day, from %(first)s to %(last)s; the table below has each day's figures."
        )
    else:
        description = _(
            "The count per day, from %(first)s to %(last)s; the table below has each day's figures."
        )
    first, last = (points[0].starts, points[-1].starts) if points else (None, None)
    shown = "j F Y" if grain == "day" else "F Y"
    description %= {
        "first": date_format(first, shown) if first else "",
        "last": date_format(last, shown) if last else "",
    }
    return DailyTable(headers, rows, charts_mean, title, description, grain)


def summary(measure: Measure, comparison: Comparison) -> list[Headline]:
    now, before = comparison.figures(measure.code)
    rows = [Headline(_("Count"), "count", now.n, before.n, measure.code)]
    kind = measure.unit if measure.unit in ("seconds", "minutes") else "score"
    if measure.unit != "count":
        rows.append(Headline(_("Mean"), kind, now.mean, before.mean, measure.code))
    if measure.has_distribution:
        rows += [
            Headline(_("Median"), kind, now.percentile(50), before.percentile(50), measure.code),
            Headline(
                _("90th percentile"), kind, now.percentile(90), before.percentile(90), measure.code
            ),
        ]
    if measure.unit == "seconds":
        rows.append(
            Headline(
                _("Share under 10 seconds"),
                "share",
                now.share_below(10),
                before.share_below(10),
                measure.code,
            )
        )
    return rows


@dataclass(frozen=True)
class BreakdownRow:
    label: str
    current: int
    previous: int


@dataclass(frozen=True)
class Breakdown:
    dimension: str
    title: str
    rows: list[BreakdownRow]


def _label(dimension: str, value: str) -> str:
    if not value:
        return _("Not recorded")
    if dimension == "channel":
        return str(CHANNELS.get(value, value))
    if dimension == "detail":
        return value.replace("_", " ").capitalize()
    return value


def hour_table(profile: HourProfile | None) -> Breakdown | None:
    """Every hour of the day, quiet ones included, so the shape of the day shows."""
    if profile is None:
        return None
    rows = [
        BreakdownRow(
            f"{hour:02d}:00–{hour:02d}:59",
            profile.current.get(hour, 0),
            profile.previous.get(hour, 0),
        )
        for hour in range(24)
    ]
    return Breakdown("hour", _("By hour of the day"), rows)


def breakdown_tables(measure: Measure, comparison: Comparison) -> list[Breakdown]:
    titles = {
        "division": _("By division"),
        "channel": _("By channel"),
        "detail": _("By detail (grade, outcome, type…)"),
    }
    tables = []
    for dimension, title in titles.items():
        now = comparison.current.counts(measure.code, dimension)
        before = comparison.previous.counts(measure.code, dimension)
        values = values_seen(measure.code, dimension, comparison.current, comparison.previous)
        if values == [""] or not values:
            continue  # the measure does not break down this way
        rows = [
            BreakdownRow(_label(dimension, value), now.get(value, 0), before.get(value, 0))
            for value in values
        ]
        tables.append(Breakdown(dimension, title, rows))
    return tables
