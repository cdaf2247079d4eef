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
    # One fact in each cell that holds it: hour (by division, by channel, all), and day
    # and month (by division and channel, by division, by channel, all).
    cells = RollupCell.objects.filter(measure="complaints")
    assert sorted(cells.values_list("grain", "division", "channel", "n")) == [
        ("day", "", "", 2),
        ("day", "", "*", 2),
        ("day", "*", "", 2),
        ("day", "*", "*", 2),
        ("hour", "", "*", 2),
        ("hour", "*", "", 2),
        ("hour", "*", "*", 2),
        ("month", "", "", 2),
        ("month", "", "*", 2),
        ("month", "*", "", 2),
        ("month", "*", "*", 2),
    ]


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


def test_a_measure_added_or_redefined_is_folded_anew_from_the_whole_log():
    from cairn.performance.models import RollupState

    with transaction.atomic():
        complaint()
        complaint()
    catch_up()
    state = RollupState.objects.get()
    # As if "complaints" had just been redefined and a measure "gone" removed from the code.
    state.measures = {**state.measures, "complaints": "an older definition", "gone": "x"}
    state.save()
    RollupCell.objects.create(grain="day", starts=timezone.now(), measure="gone", n=5)
    RollupCell.objects.filter(measure="complaints").update(n=99)  # what the old definition said

    assert catch_up().events == 0  # nothing new in the log...
    assert figures("complaints", today()).n == 2  # ...but complaints were counted again, once
    assert not RollupCell.objects.filter(measure="gone").exists()
    assert catch_up().cells == 0  # and only once
    assert figures("complaints", today()).n == 2
