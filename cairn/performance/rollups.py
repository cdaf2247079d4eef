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
A run that finds nothing new costs one indexed probe. A measure added to
measures.py, or one whose definition changed (its ``fingerprint``), has its
cells folded anew from the whole event log by the next run; the state row
keeps each measure's fingerprint.
"""

import hashlib
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from cairn.performance.measures import MEASURE_LIST, Measure
from cairn.performance.models import ALL, NO_BUCKET, RollupState

CELL_TABLE = "performance_rollupcell"
KEY = "grain, measure, channel, division, starts, detail, bucket"


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


LONDON_TIME = "(e.occurred_at AT TIME ZONE 'Europe/London')"
# Each grain: how its start is computed, and which groupings it keeps.
GRAIN_STARTS = {
    "hour": "date_trunc('hour', e.occurred_at)",
    "day": f"date_trunc('day', {LONDON_TIME}) AT TIME ZONE 'Europe/London'",
    "month": f"date_trunc('month', {LONDON_TIME}) AT TIME ZONE 'Europe/London'",
}
BY_PLACE_AND_CHANNEL = "GROUPING SETS ((division, channel), (division), (channel), ())"
BY_PLACE_OR_CHANNEL = "GROUPING SETS ((division), (channel), ())"


def _matched_sql(measure: Measure, source: str) -> str:
    """The measure's facts among the new events, with each grain's start computed once."""
    bucket = (
        f"greatest(width_bucket({measure.value}, %(bounds)s::float8[]) - 1, 0)"
        if measure.has_distribution
        else "NULL::smallint"
    )
    starts = ",\n".join(f"{sql} AS starts_{grain}" for grain, sql in GRAIN_STARTS.items())
    # The fragments are the measures' own SQL (code in measures.py), never input.
    return f"""
        SELECT e.division, e.channel, left({measure.detail}, 60) AS detail,
               {bucket} AS bucket, {measure.value} AS value,
               {starts}
        FROM {source} e
        WHERE e.name = ANY(%(names)s) AND ({measure.where})
    """  # noqa: S608


def _grain_sql(grain: str, *, histogram: bool) -> str:
    """One grain's cells from ``matched``: every grouping of division and channel it keeps."""
    detail = f"'{ALL}'" if grain == "hour" else "detail"
    groupings = BY_PLACE_OR_CHANNEL if grain == "hour" else BY_PLACE_AND_CHANNEL
    bucket_sets = ", GROUPING SETS ((bucket), ())" if histogram and grain != "hour" else ""
    bucket = f"CASE WHEN GROUPING(bucket) = 1 THEN {NO_BUCKET} ELSE bucket END"
    return f"""
        SELECT '{grain}', starts_{grain},
               CASE WHEN GROUPING(division) = 1 THEN '{ALL}' ELSE division END,
               CASE WHEN GROUPING(channel) = 1 THEN '{ALL}' ELSE channel END,
               {detail}, {bucket if bucket_sets else NO_BUCKET}, count(*), coalesce(sum(value), 0)
        FROM matched
        GROUP BY starts_{grain}{"" if grain == "hour" else ", detail"}, {groupings}{bucket_sets}
    """  # noqa: S608


def _fold_sql(measure: Measure, source: str = "new_events") -> str:
    grains = "\nUNION ALL\n".join(
        _grain_sql(grain, histogram=measure.has_distribution) for grain in GRAIN_STARTS
    )
    return f"""
        WITH matched AS MATERIALIZED ({_matched_sql(measure, source)})
        INSERT INTO {CELL_TABLE} AS cell
            (grain, starts, division, channel, detail, bucket, n, total, measure)
        SELECT *, %(code)s FROM ({grains}) AS cells
        ON CONFLICT ({KEY}) DO UPDATE
            SET n = cell.n + EXCLUDED.n, total = cell.total + EXCLUDED.total
    """  # noqa: S608


def _history_table(current: str, measures: list[Measure]) -> None:
    """Every committed event the ``measures`` read, for folding them in from the start."""
    names = sorted({name for measure in measures for name in measure.events})
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TEMPORARY TABLE measure_history ON COMMIT DROP AS
            SELECT e.name, e.occurred_at, e.division, e.channel, e.data
            FROM events_domainevent e
            WHERE e.name = ANY(%s) AND pg_visible_in_snapshot(e.txid, %s::pg_snapshot)
            """,
            [names, current],
        )


def fingerprint(measure: Measure) -> str:
    """What the cells of ``measure`` depend on: change any of it and they are folded anew."""
    parts = (measure.events, measure.where, measure.value, measure.detail, measure.bounds)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def _fold(measure: Measure, source: str = "new_events") -> int:
    parameters = {
        "code": measure.code,
        "names": list(measure.events),
        "bounds": [float(bound) for bound in measure.bounds],
    }
    with connection.cursor() as cursor:
        cursor.execute(_fold_sql(measure, source), parameters)
        return cursor.rowcount


def _changed_measures(state: RollupState) -> list[Measure]:
    """Measures added or redefined since the cells were folded: their history is folded anew.

    Also drops the cells of measures that no longer exist."""
    if not state.snapshot:
        return []  # the first run folds everything from the start anyway
    folded = state.measures or {}
    changed = [m for m in MEASURE_LIST if folded.get(m.code) != fingerprint(m)]
    stale = [code for code in folded if code not in {m.code for m in MEASURE_LIST}]
    stale += [m.code for m in changed]
    if stale:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {CELL_TABLE} WHERE measure = ANY(%s)", [stale])  # noqa: S608
    return changed


def catch_up() -> CatchUp:
    """Fold every event committed since the last run into the cells; one transaction."""
    with transaction.atomic():
        RollupState.objects.get_or_create(pk=1)
        state = RollupState.objects.select_for_update().get(pk=1)
        changed = _changed_measures(state)
        current, events = _new_events_table(state.snapshot)
        steady = [measure for measure in MEASURE_LIST if measure not in changed]
        cells = sum(_fold(measure) for measure in steady) if events else 0
        if changed:
            _history_table(current, changed)
            cells += sum(_fold(measure, "measure_history") for measure in changed)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE new_events")
            if changed:
                cursor.execute("DROP TABLE measure_history")
        state.snapshot = current
        state.events_folded += events
        state.measures = {measure.code: fingerprint(measure) for measure in MEASURE_LIST}
        state.updated_at = timezone.now()
        state.save(update_fields=["snapshot", "events_folded", "measures", "updated_at"])
    return CatchUp(events=events, cells=cells)
