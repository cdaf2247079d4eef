"""Rollups of the event log: one row per hour, measure and dimensions, added to, never rescanned.

A ``RollupCell`` holds how many facts fell in it (``n``) and their summed value
(``total``). A measure with a distribution (time to answer, waiting time) also
has one cell per histogram bucket (``bucket`` ≥ 0, the index into the
measure's boundaries), so percentiles come from the cells too; its summary
cells have ``bucket`` = -1. ``RollupState`` is one row: the snapshot up to which
events have been folded in (cairn/performance/rollups.py).
"""

from django.db import models

NO_BUCKET = -1


class RollupCell(models.Model):
    id = models.BigAutoField(primary_key=True)
    hour = models.DateTimeField()
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
            models.UniqueConstraint(
                fields=["measure", "hour", "division", "channel", "detail", "bucket"],
                name="rollup_cell_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.hour:%Y-%m-%d %H}:00 n={self.n}"


class RollupState(models.Model):
    """The one row saying how far the rollups have read the event log."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    snapshot = models.TextField(
        blank=True, default="", help_text="pg_snapshot text; empty: nothing folded in yet."
    )
    events_folded = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"rollups at {self.snapshot or 'the start'}"
