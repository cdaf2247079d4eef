"""Folding new domain events into the rollup cells, each event exactly once.

"New" is decided by transaction visibility, not by id or time: every event row
carries the id of the transaction that wrote it (``txid``, migration events
0003). A run takes the current snapshot and folds in the events whose
transaction is visible in it but was not in the snapshot the last run saved.
A transaction that commits late (it began before the last run, it finished
after) is therefore picked up by the next run, never skipped and never counted
twice; ids and timestamps could do neither. The state row is locked for the
run, so two runs take turns, and the cells and the new snapshot commit together.

Run by a periodic task every minute and before a dashboard reads (``catch_up``).
A run that finds nothing new costs one indexed probe.
"""

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from cairn.performance.measures import MEASURE_LIST, Measure
from cairn.performance.models import NO_BUCKET, RollupState

CELL_TABLE = "performance_rollupcell"
KEY = "measure, hour, division, channel, detail, bucket"


@dataclass(frozen=True)
class CatchUp:
    events: int  # events folded in by this run
    cells: int  # cell rows written or added to


def _new_events_table(previous: str) -> tuple[str, int]:
    """Copy the events committed since ``previous`` into a temporary table.

    Returns the snapshot taken now (the next run's ``previous``) and how many events.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_snapshot()::text")
        (current,) = cursor.fetchone()
        if previous:
            cursor.execute(
                """
                CREATE TEMPORARY TABLE new_events ON COMMIT DROP AS
                SELECT e.name, e.occurred_at, e.division, e.channel, e.data
                FROM events_domainevent e
                WHERE e.txid >= pg_snapshot_xmin(%s::pg_snapshot)
                  AND pg_visible_in_snapshot(e.txid, %s::pg_snapshot)
                  AND NOT pg_visible_in_snapshot(e.txid, %s::pg_snapshot)
                """,
                [previous, current, previous],
            )
        else:
            cursor.execute(
                """
                CREATE TEMPORARY TABLE new_events ON COMMIT DROP AS
                SELECT e.name, e.occurred_at, e.division, e.channel, e.data
                FROM events_domainevent e
                WHERE pg_visible_in_snapshot(e.txid, %s::pg_snapshot)
                """,
                [current],
            )
        count = cursor.rowcount
    return current, count


def _fold_sql(measure: Measure, histogram: bool) -> str:
    bucket = (
        f"width_bucket({measure.value}, %(bounds)s::float8[]) - 1" if histogram else str(NO_BUCKET)
    )
    # The fragments are the measures' own SQL (code in measures.py), never input.
    return f"""
        INSERT INTO {CELL_TABLE} AS cell
            (measure, hour, division, channel, detail, bucket, n, total)
        SELECT %(code)s, date_trunc('hour', e.occurred_at), e.division, e.channel,
               left({measure.detail}, 60), {bucket}, count(*), coalesce(sum({measure.value}), 0)
        FROM new_events e
        WHERE e.name = ANY(%(names)s) AND ({measure.where})
        GROUP BY 2, 3, 4, 5, 6
        ON CONFLICT ({KEY}) DO UPDATE
            SET n = cell.n + EXCLUDED.n, total = cell.total + EXCLUDED.total
    """  # noqa: S608


def _fold(measure: Measure) -> int:
    written = 0
    parameters = {
        "code": measure.code,
        "names": list(measure.events),
        "bounds": [float(bound) for bound in measure.bounds],
    }
    with connection.cursor() as cursor:
        cursor.execute(_fold_sql(measure, histogram=False), parameters)
        written += cursor.rowcount
        if measure.has_distribution:
            cursor.execute(_fold_sql(measure, histogram=True), parameters)
            written += cursor.rowcount
    return written


def catch_up() -> CatchUp:
    """Fold every event committed since the last run into the cells; one transaction."""
    with transaction.atomic():
        RollupState.objects.get_or_create(pk=1)
        state = RollupState.objects.select_for_update().get(pk=1)
        current, events = _new_events_table(state.snapshot)
        cells = sum(_fold(measure) for measure in MEASURE_LIST) if events else 0
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE new_events")
        state.snapshot = current
        state.events_folded += events
        state.updated_at = timezone.now()
        state.save(update_fields=["snapshot", "events_folded", "updated_at"])
    return CatchUp(events=events, cells=cells)
