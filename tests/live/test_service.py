"""The live service end to end: granian, a real SSE client, and the two ways changes reach it.

New contacts are found by the relay's look at the event log (by transaction id,
every quarter of a second); claims, releases and decisions come by PostgreSQL
NOTIFY from the triggers.
"""

import asyncio
import threading
import time

import httpx
import psycopg
import pytest
from django.db import connection, transaction
from django.utils import timezone

from cairn.audit.context import acting_as
from cairn.contacts.models import Contact, Status
from cairn.contacts.services import ContactSubmission, receive_contact
from cairn.live.process import conninfo_for, health
from cairn.live.relay import QUEUE_SIZE, RESYNC, Relay
from cairn.live.tokens import make_token
from cairn.triage.models import Claim
from tests.live.conftest import HEARTBEAT_SECONDS, ORIGIN
from tests.live.test_tokens import token_signed_hours_ago

pytestmark = pytest.mark.django_db(transaction=True)


def new_contact(narrative: str = "Someone is trying car doors on my street.") -> int:
    with acting_as("web"):
        receipt = receive_contact(
            ContactSubmission(channel="web_form", narrative=narrative, reporter_name="Ali Shaw")
        )
    return receipt.contact_id


def wait_for_streams(live_service: str, count: int, timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while (health(live_service) or {}).get("streams") != count:
        assert time.monotonic() < deadline, f"expected {count} open streams: {health(live_service)}"
        time.sleep(0.05)


# Who may connect -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["", "?token=", "?token=nonsense", f"?token={make_token(1)[:-3]}abc"],
    ids=["no token", "empty", "not signed", "bad signature"],
)
def test_without_a_valid_token_the_service_answers_403(live_service, query):
    response = httpx.get(f"{live_service}/events{query}", timeout=5)
    assert response.status_code == 403
    assert "text/event-stream" not in response.headers.get("content-type", "")


def test_an_expired_token_is_refused(live_service, open_stream):
    assert open_stream(token_signed_hours_ago(1, 12.5)).response.status_code == 403
    assert open_stream(token_signed_hours_ago(1, 11.5)).response.status_code == 200


def test_only_the_apps_origins_are_answered(live_service, open_stream):
    token = make_token(1)
    allowed = open_stream(token, {"Origin": ORIGIN}).response
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "Origin" in allowed.headers["vary"]
    assert open_stream(token, {"Origin": "https://evil.example"}).response.status_code == 403
    # A request without Origin (not a browser's cross-origin one) needs the token only.
    assert "access-control-allow-origin" not in open_stream(token).response.headers

    preflight = httpx.options(f"{live_service}/events", headers={"Origin": ORIGIN}, timeout=5)
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == ORIGIN


def test_only_events_and_health_are_served(live_service):
    assert httpx.get(f"{live_service}/", timeout=5).status_code == 404
    assert httpx.post(f"{live_service}/events?token={make_token(1)}", timeout=5).status_code == 405
    assert httpx.get(f"{live_service}/healthz", timeout=5).json()["listening"] is True


# What a stream sends ---------------------------------------------------------------------


def test_a_new_contact_reaches_a_connected_handler_within_a_second(open_stream):
    stream = open_stream(make_token(1))
    assert stream.response.headers["content-type"].startswith("text/event-stream")
    assert stream.response.headers["cache-control"] == "no-store"
    assert stream.retry_ms == 3000

    committed = time.monotonic()
    contact_id = new_contact()  # outside a transaction: committed when it returns
    event = stream.next_event(timeout=1.0)
    arrived = time.monotonic()

    assert event is not None, "no event within a second"
    assert arrived - committed < 1.0
    assert event.name == "queue"
    # No personal data: the id and what changed, nothing else.
    assert event.json() == {"contact": contact_id, "change": "received"}
    assert "Ali" not in event.data


def test_every_connected_handler_gets_the_event(open_stream, live_service):
    streams = [open_stream(make_token(n)) for n in range(1, 6)]
    wait_for_streams(live_service, 5)
    contact_id = new_contact()
    for stream in streams:
        event = stream.next_event(timeout=1.0)
        assert event is not None and event.json() == {"contact": contact_id, "change": "received"}


def test_claims_releases_and_decisions_are_sent_and_a_rollback_sends_nothing(open_stream, advisor):
    stream = open_stream(make_token(advisor.pk))
    contact_id = new_contact()
    assert stream.next_event(1.0).json()["change"] == "received"

    # A claim as the service makes it: the claim row and the status in one transaction.
    with transaction.atomic():
        Claim.objects.create(contact_id=contact_id, handler=advisor, claimed_at=timezone.now())
        Contact.objects.filter(pk=contact_id).update(status=Status.IN_ASSESSMENT)
    assert [e.json() for e in stream.events_within(0.6)] == [
        {"contact": contact_id, "change": "claimed"}  # once: PostgreSQL folds identical payloads
    ]

    with transaction.atomic():
        Claim.objects.filter(contact_id=contact_id).delete()
        Contact.objects.filter(pk=contact_id).update(status=Status.RECEIVED)
    assert [e.json() for e in stream.events_within(0.6)] == [
        {"contact": contact_id, "change": "released"}
    ]

    Contact.objects.filter(pk=contact_id).update(status=Status.ASSESSED)
    assert stream.next_event(1.0).json() == {"contact": contact_id, "change": "decided"}

    # An update that leaves the status as it is, and a transaction rolled back: nothing.
    Contact.objects.filter(pk=contact_id).update(status=Status.ASSESSED, category="x")
    with pytest.raises(RuntimeError), transaction.atomic():
        new_contact()
        raise RuntimeError("rolled back")
    assert stream.events_within(2 * HEARTBEAT_SECONDS) == []


def test_a_quiet_stream_gets_heartbeats(open_stream):
    stream = open_stream(make_token(1))
    started = time.monotonic()
    comments = []
    while len(comments) < 2:
        message = stream.next_message(timeout=3 * HEARTBEAT_SECONDS)
        assert message is not None and message.comment, message
        comments.append(message.data)
    assert comments == ["heartbeat", "heartbeat"]
    assert time.monotonic() - started < 3 * HEARTBEAT_SECONDS


def test_a_closed_stream_is_forgotten(live_service, open_stream):
    streams = [open_stream(make_token(1)) for _ in range(3)]
    wait_for_streams(live_service, 3)
    for stream in streams:
        stream.close()
    wait_for_streams(live_service, 0)
    new_contact()  # fanning out to nobody is fine
    assert health(live_service)["listening"] is True


def test_after_losing_the_database_the_relay_reconnects_and_asks_for_a_resync(
    live_service, open_stream
):
    stream = open_stream(make_token(1))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'cairn-live' AND datname = current_database()"
        )
        assert cursor.fetchone() == (True,)
    event = stream.next_event(timeout=5.0)
    assert event is not None and event.name == "resync"
    contact_id = new_contact()
    assert stream.next_event(1.0).json() == {"contact": contact_id, "change": "received"}


def test_each_new_contact_is_sent_once_and_only_when_its_transaction_commits(open_stream):
    stream = open_stream(make_token(1))
    alone = [new_contact(f"Report {n}") for n in range(5)]
    # Two in one transaction, held open across several of the relay's looks.
    with transaction.atomic():
        together = [new_contact("First of two"), new_contact("Second of two")]
        before_commit = [e.json() for e in stream.events_within(0.8)]
    assert [event["contact"] for event in before_commit] == alone  # not the two uncommitted
    after = [new_contact(f"Later {n}") for n in range(3)]

    received = before_commit + [e.json() for e in stream.events_within(1.5)]
    assert all(event["change"] == "received" for event in received)
    ids = [event["contact"] for event in received]
    assert sorted(ids) == sorted(alone + together + after)  # every one, none twice


def test_contacts_committed_by_many_writers_at_once_are_each_sent_once(open_stream):
    stream = open_stream(make_token(1))
    made: list[int] = []
    lock = threading.Lock()

    def writer(number: int) -> None:
        ids = [new_contact(f"Writer {number}, report {n}") for n in range(10)]
        with lock:
            made.extend(ids)
        connection.close()  # this thread's own connection

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    ids = [e.json()["contact"] for e in stream.events_within(1.5)]
    assert len(made) == 40
    assert sorted(ids) == sorted(made)


def test_a_new_contact_sends_no_notify():
    """Intake's commits are not serialised by NOTIFY (triage migration 0006)."""
    with psycopg.connect(conninfo_for(connection.settings_dict), autocommit=True) as listener:
        listener.execute("LISTEN cairn_queue")
        contact_id = new_contact()
        assert list(listener.notifies(timeout=0.5)) == []
        # A decision still notifies, so the listener itself works.
        Contact.objects.filter(pk=contact_id).update(status=Status.ASSESSED)
        payloads = [n.payload for n in listener.notifies(timeout=1.0, stop_after=1)]
    assert payloads == [f'{{"contact": {contact_id}, "change": "decided"}}']


def test_more_new_contacts_at_once_than_a_page_can_queue_are_sent_as_one_resync(open_stream):
    stream = open_stream(make_token(1))
    with transaction.atomic():  # a bulk import: all of them visible at the same moment
        for number in range(QUEUE_SIZE + 1):
            new_contact(f"Imported report {number}")
    assert [(e.name, e.json()) for e in stream.events_within(1.0)] == [("resync", {})]
    contact_id = new_contact()  # and then on as before
    assert stream.next_event(1.0).json() == {"contact": contact_id, "change": "received"}


def test_a_look_that_finds_too_many_new_contacts_reads_no_more_than_it_can_send():
    """The relay fetches at most queue_size + 1 ids a look, and sends one resync for them."""
    from tests.live.test_relay import run

    relay = Relay(conninfo_for(connection.settings_dict), queue_size=3)

    async def scenario():
        async with await psycopg.AsyncConnection.connect(
            relay.conninfo, autocommit=True
        ) as database:
            cursor = await database.execute("SELECT pg_current_snapshot()::text")
            (since,) = await cursor.fetchone()
            await asyncio.to_thread(make_contacts, 5)
            with relay.subscribe() as queue:
                since = await relay._publish_received(database, since)
                assert [queue.get_nowait()] == [RESYNC] and queue.empty()
                assert relay.delivered == 1  # one publish, not five
                # The next look starts after them: nothing again.
                await relay._publish_received(database, since)
                assert queue.empty() and relay.delivered == 1

    run(scenario())


def make_contacts(count: int) -> None:
    with transaction.atomic():
        for number in range(count):
            new_contact(f"Imported report {number}")
    connection.close()  # this thread's own connection
