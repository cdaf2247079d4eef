"""The dashboards and rollup-cost benchmarks' own parts: the server timing they read, the
switch that turns the rollups' write-side cost off and on, and how targets are judged."""

from datetime import date

import pytest
from django.db import connection

from bench.dashboards import PageTiming, Prepared, Report, SizeRun, pages
from bench.rollup_cost import rollups_off, rollups_on
from cairn.events.models import DomainEvent
from cairn.events.services import record_event


def _txid_of_last_event():
    with connection.cursor() as cursor:
        cursor.execute("SELECT txid FROM events_domainevent ORDER BY id DESC LIMIT 1")
        return cursor.fetchone()[0]


def _has_txid_index() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'events_domainevent_txid'")
        return cursor.fetchone() is not None


@pytest.mark.django_db  # in the test's transaction: the schema changes roll back with it
def test_the_rollups_write_side_turns_off_and_back_on():
    rollups_off()
    record_event("complaint.received", subject_type="test", subject_id=1)
    assert _txid_of_last_event() == "0"
    assert not _has_txid_index()

    rollups_on()
    record_event("complaint.received", subject_type="test", subject_id=2)
    assert int(_txid_of_last_event()) > 0
    assert _has_txid_index()
    assert DomainEvent.objects.filter(name="complaint.received").count() == 2


@pytest.mark.django_db
def test_every_response_says_its_server_time_when_benchmarking(client, settings):
    settings.MIDDLEWARE = [
        "cairn.benchmarks.middleware.ServerTimingMiddleware",
        *settings.MIDDLEWARE,
    ]
    timing = client.get("/healthz").headers["Server-Timing"]
    assert timing.startswith("app;dur=")
    assert float(timing.removeprefix("app;dur=")) > 0


def test_without_benchmarking_there_is_no_server_timing(client, db):
    assert "Server-Timing" not in client.get("/healthz").headers


def test_the_pages_cover_every_measure_and_the_public_open_data():
    from cairn.performance.measures import MEASURE_LIST

    paths = [path for _label, path in pages(date(2026, 11, 24))]
    for measure in MEASURE_LIST:
        assert f"/staff/performance/{measure.code}/?first=2026-10-28&last=2026-11-24" in paths
    assert "/open-data/" in paths
    assert "/staff/performance/?first=2025-11-01&last=2026-10-31" in paths  # 12 whole months


def _run(size: int, count_ms: float, page_ms: float) -> SizeRun:
    prepared = Prepared("postgresql://x/y", "reused", 1.0, date(2026, 11, 24))
    page = PageTiming("overview", "/staff/performance/", [page_ms] * 3)
    return SizeRun(size, prepared, [count_ms] * 3, [page])


def test_the_targets_are_judged_on_the_largest_size_and_the_growth():
    met = Report([_run(1_000_000, 25.0, 10.0), _run(10_000_000, 250.0, 15.0)])
    lines = "\n".join(met.summary())
    assert "median 15.0 ms (target ≤ 250 ms: MET); 0.060 × count(*) (target ≤ 0.1: MET)" in lines
    assert "largest 1.50 ('overview')" in lines and "(target ≤ 2: MET)" in lines

    missed = Report([_run(1_000_000, 25.0, 10.0), _run(10_000_000, 250.0, 30.0)])
    lines = "\n".join(missed.summary())
    assert "0.120 × count(*) (target ≤ 0.1: NOT MET)" in lines
    assert "largest 3.00 ('overview')" in lines and "(target ≤ 2: NOT MET)" in lines


@pytest.mark.django_db
def test_benchmarks_that_change_the_database_refuse_any_but_the_bench_one(monkeypatch):
    from bench.preflight import disposable_database_refusal

    monkeypatch.delenv("CAIRN_BENCH_DISPOSABLE_DB", raising=False)
    refusal = disposable_database_refusal("rollup_cost changes the events table")
    assert refusal.startswith("rollup_cost changes the events table: it runs on the bench")
    monkeypatch.setenv("CAIRN_BENCH_DISPOSABLE_DB", "1")
    assert disposable_database_refusal("anything") is None
