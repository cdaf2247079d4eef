"""The live stream's signed URLs: who gets one, and what the service accepts."""

import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.test import RequestFactory

from cairn.live.tokens import SALT, events_url_for, make_token, user_of_token


class SignedHoursAgo(signing.TimestampSigner):
    """Signs as if it were ``hours`` ago (the real signer, with an older clock)."""

    def __init__(self, hours: float, **kwargs):
        super().__init__(**kwargs)
        self.hours = hours

    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time() - self.hours * 3600))


def token_signed_hours_ago(user_id: int, hours: float) -> str:
    return SignedHoursAgo(hours, salt=SALT).sign_object({"user": user_id})


def test_a_token_names_its_user():
    assert user_of_token(make_token(42)) == 42


def test_a_token_expires_after_the_configured_age(settings):
    settings.CAIRN_LIVE_TOKEN_MAX_AGE = timedelta(hours=12)
    assert user_of_token(token_signed_hours_ago(7, 11.9)) == 7
    assert user_of_token(token_signed_hours_ago(7, 12.1)) is None


@pytest.mark.parametrize(
    "token",
    [
        "",
        "nonsense",
        make_token(42)[:-2] + "xx",  # signature changed
        make_token(42).replace(
            make_token(42).split(":")[0], signing.b64_encode(b'{"user":1}').decode()
        ),
        signing.dumps({"user": 42}),  # signed for something else (no salt)
        signing.dumps({"user": 42}, salt="cairn.other"),
        signing.dumps({"user": "42"}, salt=SALT),  # not an id
        signing.dumps({"user": True}, salt=SALT),
        signing.dumps([42], salt=SALT),
        "x" * 600,
    ],
)
def test_anything_else_is_refused(token):
    assert user_of_token(token) is None


def test_a_token_from_another_secret_key_is_refused(settings):
    token = make_token(42)
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert user_of_token(token) is None


def _request(user):
    request = RequestFactory().get("/staff/queue/")
    request.user = user
    return request


def test_a_handler_gets_a_url_to_the_live_service_with_their_token(settings, advisor):
    settings.CAIRN_LIVE_URL = "https://live.example"
    url = events_url_for(_request(advisor))
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://live.example/events"
    (token,) = parse_qs(parts.query)["token"]
    assert user_of_token(token) == advisor.pk


def test_no_url_when_live_events_are_off(settings, advisor):
    settings.CAIRN_LIVE_URL = ""
    assert events_url_for(_request(advisor)) is None


def test_no_url_for_someone_who_may_not_work_the_queue(settings, analyst, advisor):
    settings.CAIRN_LIVE_URL = "https://live.example"
    assert events_url_for(_request(analyst)) is None
    assert events_url_for(_request(AnonymousUser())) is None
    advisor.is_active = False
    assert events_url_for(_request(advisor)) is None
