"""One LISTEN connection per process, fanned out to every connected browser.

PostgreSQL sends ``NOTIFY cairn_queue`` when a transaction that claims,
releases or decides a contact commits (triggers in
cairn/triage/migrations/0003_queue_notify.py). New contacts are not notified:
intake is the busiest write there is, and PostgreSQL serialises the commits
of notifying transactions (migration 0006 says more). The relay finds them
instead by reading the domain events' log for ``contact.received`` every
``POLL_EVERY`` seconds, by transaction id as the rollups do: what committed
since its last look, each exactly once, none from a transaction rolled back.

The relay holds one psycopg AsyncConnection, listening on that channel and
polling, and puts each event on the asyncio.Queue of every subscriber (one
per open event stream). Publishing never waits: a subscriber too slow to keep up has its
backlog replaced by a single "resync" (its page reloads the table once), so one
stalled browser never holds up the others.

Notifications sent while the relay is not listening (the database restarting)
are lost, so after every reconnection each subscriber gets a "resync" too
(and the poll starts again from that moment).
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg

logger = logging.getLogger(__name__)

CHANNEL = "cairn_queue"
CHANGES = frozenset({"received", "claimed", "released", "decided"})
QUEUE_SIZE = 256  # events one subscriber may fall behind before it is told to resync
POLL_EVERY = 0.25  # seconds between looks for new contacts (the queue pages' lag, at most)

# The contacts received in transactions that committed after the snapshot given
# (the relay's last look) and before this statement's own: the rollups' way of
# reading the log (cairn/performance/rollups.py), with the txid index. Returns
# this statement's snapshot (the next look's starting point) and the ids.
# At most ``limit`` ids: more than a subscriber's queue holds (a bulk import,
# say) is told as one "resync", as a subscriber that fell behind is.
RECEIVED_SINCE = """
SELECT pg_current_snapshot()::text,
       ARRAY(SELECT e.subject_id FROM events_domainevent e
             WHERE e.name = 'contact.received' AND e.subject_type = 'contact'
               AND e.txid >= pg_snapshot_xmin(%(since)s::pg_snapshot)
               AND NOT pg_visible_in_snapshot(e.txid, %(since)s::pg_snapshot)
             ORDER BY e.id LIMIT %(limit)s)
"""
RECONNECT_DELAYS = (0.2, 0.5, 1.0, 2.0, 5.0)  # then 5 s between attempts


@dataclass(frozen=True)
class Event:
    """What a subscriber is sent: an SSE event name and its JSON data."""

    name: str
    data: str

    def encode(self) -> bytes:
        return f"event: {self.name}\ndata: {self.data}\n\n".encode()


RESYNC = Event("resync", "{}")
CLOSING = Event("closing", "{}")  # the service is stopping: the stream ends


def queue_event(payload: str) -> Event | None:
    """The event for a notification's payload; None for anything not ours.

    Re-encoded from the parsed fields so that only a contact id and a known
    change ever leave the service, whatever was sent on the channel.
    """
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    contact, change = data.get("contact"), data.get("change")
    if type(contact) is not int or change not in CHANGES:
        return None
    return Event("queue", json.dumps({"contact": contact, "change": change}))


class Relay:
    def __init__(self, conninfo: str, channel: str = CHANNEL, queue_size: int = QUEUE_SIZE):
        self.conninfo = conninfo
        self.channel = channel
        self.queue_size = queue_size
        self.subscribers: set[asyncio.Queue[Event]] = set()
        self.listening = asyncio.Event()
        self.connections_made = 0
        self.delivered = 0
        self._task: asyncio.Task | None = None

    # Subscribers -------------------------------------------------------------------------

    @contextlib.contextmanager
    def subscribe(self) -> Iterator[asyncio.Queue[Event]]:
        """A queue that receives every event while the ``with`` block lasts."""
        queue: asyncio.Queue[Event] = asyncio.Queue(self.queue_size)
        self.subscribers.add(queue)
        try:
            yield queue
        finally:
            self.subscribers.discard(queue)

    def publish(self, event: Event) -> None:
        for queue in self.subscribers:
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                _replace_backlog(queue, RESYNC)
        self.delivered += len(self.subscribers)

    # Listening ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start listening in the background (once; later calls do nothing)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._listen_forever())

    async def stop(self) -> None:
        """Stop listening and end every open stream."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for queue in self.subscribers:
            _replace_backlog(queue, CLOSING)

    async def _listen_forever(self) -> None:
        failures = 0
        while True:
            try:
                await self._listen_once()
                failures = 0
            except (psycopg.Error, OSError) as error:
                self.listening.clear()
                delay = RECONNECT_DELAYS[min(failures, len(RECONNECT_DELAYS) - 1)]
                failures += 1
                logger.warning("live: lost the database (%s); again in %.1f s", error, delay)
                await asyncio.sleep(delay)

    async def _listen_once(self) -> None:
        connection = await psycopg.AsyncConnection.connect(
            self.conninfo, autocommit=True, application_name="cairn-live"
        )
        async with connection:
            await connection.execute(f'LISTEN "{self.channel}"')  # our constant, not input
            self.connections_made += 1
            if self.connections_made > 1:
                self.publish(RESYNC)  # what was sent while we were away is lost
            cursor = await connection.execute("SELECT pg_current_snapshot()::text")
            (since,) = await cursor.fetchone()
            self.listening.set()
            logger.info("live: listening on %s", self.channel)
            while True:
                async for notify in connection.notifies(timeout=POLL_EVERY):
                    event = queue_event(notify.payload)
                    if event is not None:
                        self.publish(event)
                # The look also tells us, every POLL_EVERY, that the connection is there.
                since = await self._publish_received(connection, since)

    async def _publish_received(self, connection: psycopg.AsyncConnection, since: str) -> str:
        """Publish "received" for each contact committed since ``since``; the new snapshot."""
        cursor = await connection.execute(
            RECEIVED_SINCE, {"since": since, "limit": self.queue_size + 1}
        )
        now, contact_ids = await cursor.fetchone()
        if len(contact_ids) > self.queue_size:
            self.publish(RESYNC)
            return now
        for contact_id in contact_ids:
            if contact_id.isdigit():  # subject ids are text; a contact's is its number
                payload = {"contact": int(contact_id), "change": "received"}
                self.publish(Event("queue", json.dumps(payload)))
        return now


def _replace_backlog(queue: asyncio.Queue[Event], event: Event) -> None:
    while not queue.empty():
        queue.get_nowait()
    queue.put_nowait(event)
