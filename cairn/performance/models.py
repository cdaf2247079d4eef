"""Rollups of the event log: pre-added cells, added to as events arrive, never rescanned.

A ``RollupCell`` holds how many facts fell in it (``n``) and their summed value
(``total``), for one measure over one stretch of time (``grain``: an hour, a
London day or a London month, starting at ``starts``) and one combination of
division and channel. ``ALL`` ("*") in ``division`` or ``channel`` means every
value together: the fold writes each day's facts four times (by division and
channel, by division, by channel, and for the whole force), so a dashboard
reads exactly the rows it shows instead of adding up thousands. A measure with
a distribution (time to answer, waiting time) also has one cell per histogram
bucket (``bucket`` ≥ 0, the index into the measure's boundaries), so its
percentiles come from the cells too; every other cell has ``bucket`` = -1.

Hour cells exist only for the hour-of-day profile: by division or by channel
(never both), without the measure's detail (``detail`` = ALL) or histogram.

``RollupState`` is one row: the snapshot up to which events have been folded
in (cairn/performance/rollups.py).
"""

from django.db import models

NO_BUCKET = -1
ALL = "*"


class Grain(models.TextChoices):
    HOUR = "hour"
    DAY = "day"
    MONTH = "month"


class RollupCell(models.Model):
    id = models.BigAutoField(primary_key=True)
    grain = models.CharField(max_length=5, choices=Grain.choices)
    starts = models.DateTimeField(help_text="The hour, or London midnight of the day or month.")
    measure = models.CharField(max_length=40)
    division = models.CharField(max_length=4, blank=True, default="")
    channel = models.CharField(max_length=30, blank=True, default="")
    detail = models.CharField(
        max_length=60,
        blank=True,
        default="",
        help_text="The measure's own breakdown (grade, outcome…).",
    )
    bucket = models.SmallIntegerField(default=NO_BUCKET)
    n = models.BigIntegerField(default=0)
    total = models.FloatField(default=0)

    class Meta:
        constraints = [
            # In the order the dashboards ask: one grain and measure, a division and
            # channel (or ALL), a range of days.
            models.UniqueConstraint(
                fields=["grain", "measure", "channel", "division", "starts", "detail", "bucket"],
                name="rollup_cell_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.grain} {self.starts:%Y-%m-%d %H}:00 n={self.n}"


class RollupState(models.Model):
    """The one row saying how far the rollups have read the event log."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    snapshot = models.TextField(
        blank=True, default="", help_text="pg_snapshot text; empty: nothing folded in yet."
    )
    events_folded = models.BigIntegerField(default=0)
    measures = models.JSONField(
        default=dict, blank=True, help_text="Each measure's fingerprint when last folded."
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"rollups at {self.snapshot or 'the start'}"
