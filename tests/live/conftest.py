"""The live events service as a real granian process, listening on the test database."""

import pytest

from cairn.live.process import conninfo_for, running_live_service
from tests.live.sse import EventStream

ORIGIN = "http://app.example"
HEARTBEAT_SECONDS = 0.5  # 15 s in service; short here so a test can see two


@pytest.fixture(scope="session")
def live_service(django_db_setup, django_db_blocker, tmp_path_factory) -> str:
    """The base URL of the live service (cairn/live/), listening on the test database."""
    from django.db import connection

    log = tmp_path_factory.mktemp("live") / "live.log"
    with running_live_service(
        conninfo=conninfo_for(connection.settings_dict),
        allowed_origins=[ORIGIN],
        environment={"CAIRN_LIVE_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS)},
        log=log,
    ) as url:
        yield url


@pytest.fixture
def open_stream(live_service):
    """open_stream(token, **headers) -> an EventStream, connected; all closed after the test."""
    streams: list[EventStream] = []

    def _open(token: str, headers: dict[str, str] | None = None) -> EventStream:
        stream = EventStream.open(live_service, token, headers)
        streams.append(stream)
        return stream

    yield _open
    for stream in streams:
        stream.close()
