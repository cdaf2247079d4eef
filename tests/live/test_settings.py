"""The live settings as the environment sets them: the CSP lets pages reach the service."""

import json
import os

from tests.support import last_line_of_fresh_python

READ = (
    "import json; from django.conf import settings; print(json.dumps({"
    "'connect': settings.SECURE_CSP['connect-src'], 'url': settings.CAIRN_LIVE_URL,"
    "'origins': settings.CAIRN_LIVE_ALLOWED_ORIGINS,"
    "'hours': settings.CAIRN_LIVE_TOKEN_MAX_AGE.total_seconds() / 3600}))"
)


def settings_with(**variables: str) -> dict:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CAIRN_LIVE")},
        "DJANGO_SETTINGS_MODULE": "cairn.settings",
        "CAIRN_PUBLIC_BASE_URL": "https://contact.example/path",
        **variables,
    }
    return json.loads(last_line_of_fresh_python(READ, environment))


def test_live_events_are_off_unless_their_url_is_set():
    live = settings_with()
    assert live["url"] == ""
    assert live["connect"] == ["'self'"]
    assert live["origins"] == ["https://contact.example"]  # the app's own origin
    assert live["hours"] == 12


def test_the_pages_may_connect_to_the_live_service_origin():
    live = settings_with(
        CAIRN_LIVE_URL="https://live.contact.example/",
        CAIRN_LIVE_ALLOWED_ORIGINS="https://contact.example,https://staff.contact.example",
        CAIRN_LIVE_TOKEN_HOURS="8",
    )
    assert live["url"] == "https://live.contact.example"
    assert live["connect"] == ["'self'", "https://live.contact.example"]
    assert live["origins"] == ["https://contact.example", "https://staff.contact.example"]
    assert live["hours"] == 8
