"""The rollups fold each event in exactly once, a late-committing transaction included."""

import threading
from datetime import date

import pytest
from django.db import connection, transaction
from django.utils import timezone

from cairn.events.services import record_event
from cairn.performance.models import RollupCell
from cairn.performance.queries import Period, figures
from cairn.performance.rollups import catch_up

pytestmark = pytest.mark.django_db(transaction=True)


def complaint() -> None:
    record_event("complaint.received", subject_type="test", subject_id=1)


def today() -> Period:
    day = timezone.localdate()
    return Period(day, day)


def test_running_again_adds_nothing():
    with transaction.atomic():
        complaint()
        complaint()

    assert catch_up().events == 2
    assert catch_up().events == 0
    assert figures("complaints", today()).n == 2
    assert RollupCell.objects.filter(measure="complaints").count() == 1


def test_an_event_committed_after_a_run_that_began_before_it_is_folded_in_once():
    written, release = threading.Event(), threading.Event()

    def slow_transaction():
        try:
            with transaction.atomic():
                complaint()
                written.set()
                release.wait(10)
        finally:
            connection.close()

    worker = threading.Thread(target=slow_transaction)
    worker.start()
    assert written.wait(10)
    with transaction.atomic():
        complaint()  # commits first, with a later transaction id than the slow one's event

    assert catch_up().events == 1  # the slow transaction has not committed
    release.set()
    worker.join()
    assert catch_up().events == 1  # now it has: taken once, not skipped
    assert catch_up().events == 0
    assert figures("complaints", today()).n == 2


def test_an_event_rolled_back_is_never_counted():
    with pytest.raises(RuntimeError), transaction.atomic():
        complaint()
        raise RuntimeError("the change failed")

    assert catch_up().events == 0
    assert figures("complaints", Period(date(2000, 1, 1), timezone.localdate())).n == 0
