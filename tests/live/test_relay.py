"""The relay's fan-out, without a database: what passes, and a subscriber that falls behind."""

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from cairn.live.relay import CLOSING, RESYNC, Event, Relay, queue_event


def run(coroutine) -> None:
    """On a loop of its own, in a thread: Playwright's tests leave a loop running in this one."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coroutine).result()


def test_a_notification_becomes_a_queue_event_with_only_the_id_and_the_change():
    event = queue_event('{"contact": 12, "change": "received", "reporter": "Ali Shaw"}')
    assert event == Event("queue", json.dumps({"contact": 12, "change": "received"}))
    assert event.encode() == b'event: queue\ndata: {"contact": 12, "change": "received"}\n\n'


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "junk",
        "[1, 2]",
        '{"contact": "12", "change": "received"}',
        '{"contact": true, "change": "received"}',
        '{"contact": 12, "change": "deleted"}',
        '{"contact": 12}',
        '{"contact": 12, "change": "received\\nevent: x"}',
    ],
)
def test_anything_else_on_the_channel_is_dropped(payload):
    assert queue_event(payload) is None


def test_every_subscriber_gets_every_event_while_subscribed():
    async def scenario():
        relay = Relay("unused")
        event = queue_event('{"contact": 1, "change": "claimed"}')
        with relay.subscribe() as first, relay.subscribe() as second:
            relay.publish(event)
            assert first.get_nowait() == event and second.get_nowait() == event
        assert relay.subscribers == set()
        relay.publish(event)  # no one listening: nothing to do

    run(scenario())


def test_a_subscriber_that_falls_behind_is_told_to_resync_and_the_others_are_not_held_up():
    async def scenario():
        relay = Relay("unused", queue_size=3)
        events = [queue_event(f'{{"contact": {n}, "change": "received"}}') for n in range(5)]
        with relay.subscribe() as stalled, relay.subscribe() as reading:
            for event in events:
                relay.publish(event)
                assert reading.get_nowait() == event
            backlog = [stalled.get_nowait() for _ in range(stalled.qsize())]
        # Three fitted; the fourth replaced them with one resync; the fifth queued after it.
        assert backlog == [RESYNC, events[4]]

    run(scenario())


def test_stopping_ends_every_stream():
    async def scenario():
        relay = Relay("unused")
        with relay.subscribe() as queue:
            relay.publish(queue_event('{"contact": 1, "change": "decided"}'))
            await relay.stop()
            assert [queue.get_nowait() for _ in range(queue.qsize())] == [CLOSING]

    run(scenario())
