"""A call's handling time (answer to end) goes on its events exactly once, in any order."""

import pytest

from tests.contacts.test_calls import events, record_call_event, report

pytestmark = pytest.mark.django_db


def handling_times() -> list[tuple[str, float]]:
    return [
        (event.name, event.data["seconds_handling"])
        for event in events()
        if "seconds_handling" in event.data
    ]


def test_the_end_of_an_answered_call_carries_its_handling_time():
    for kind, seconds in [("offered", 0), ("answered", 7.5), ("transferred", 60), ("ended", 310)]:
        record_call_event(report(kind, seconds))

    assert handling_times() == [("call.ended", 302.5)]
    assert events("call.ended").get().data == {
        "line": "999",
        "queue": "edinburgh-999",
        "seconds_since_offered": 310,
        "seconds_handling": 302.5,
    }


def test_an_end_reported_before_the_answer_leaves_the_time_to_the_answer():
    for kind, seconds in [("offered", 0), ("ended", 400), ("answered", 100)]:
        record_call_event(report(kind, seconds, line="101", queue="east-101"))

    assert "seconds_handling" not in events("call.ended").get().data
    assert handling_times() == [("call.answered", 300)]


@pytest.mark.parametrize(
    "order",
    [
        [("ended", 250), ("answered", 20), ("offered", 0)],
        [("answered", 20), ("ended", 250), ("offered", 0)],
        [("answered", 20), ("offered", 0), ("ended", 250)],
        [("ended", 250), ("offered", 0), ("answered", 20)],
    ],
)
def test_events_in_any_order_give_the_handling_time_once(order):
    for kind, seconds in order:
        record_call_event(report(kind, seconds))

    assert len(handling_times()) == 1
    assert handling_times()[0][1] == 230


def test_an_abandoned_call_has_no_handling_time():
    for kind, seconds in [("offered", 0), ("abandoned", 30), ("ended", 31)]:
        record_call_event(report(kind, seconds))

    assert handling_times() == []
    assert events("call.ended").get().data["seconds_since_offered"] == 31
