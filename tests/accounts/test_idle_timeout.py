"""Staff sessions end after 30 minutes without a request (settings.STAFF_IDLE_TIMEOUT)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client

from cairn.audit.models import AuditEvent, Operation
from tests.conftest import sign_in
from tests.support import body, code_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(clock, advisor) -> Client:
    client = Client()
    assert sign_in(client, "advisor", code=code_now())["Location"] == "/staff/"
    return client


def test_the_idle_timeout_is_thirty_minutes():
    assert timedelta(minutes=30) == settings.STAFF_IDLE_TIMEOUT


def test_a_staff_page_still_opens_after_29_idle_minutes(clock, session):
    clock.shift(timedelta(minutes=29))
    assert session.get("/staff/").status_code == 200


def test_a_staff_page_redirects_to_sign_in_after_31_idle_minutes(clock, session):
    clock.shift(timedelta(minutes=31))
    response = session.get("/staff/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/sign-in/?next=%2Fstaff%2F"


def test_an_idle_expiry_writes_a_session_expired_event(clock, session, advisor):
    clock.shift(timedelta(minutes=31))
    session.get("/staff/")
    expired = AuditEvent.objects.get(operation=Operation.SESSION_EXPIRED)
    assert expired.actor_id == advisor.pk
    assert expired.object_id == str(advisor.pk)


def test_an_idle_expiry_signs_the_session_out(clock, session):
    clock.shift(timedelta(minutes=31))
    session.get("/staff/")
    response = session.get("/staff/")
    assert response["Location"] == "/staff/sign-in/?next=%2Fstaff%2F"
    assert AuditEvent.objects.filter(operation=Operation.SESSION_EXPIRED).count() == 1


def test_the_sign_in_page_says_why_the_session_ended(clock, session):
    clock.shift(timedelta(minutes=31))
    response = session.get("/staff/", follow=True)
    assert "You were signed out because you were inactive." in body(response)


def test_each_request_restarts_the_idle_timer(clock, session):
    for _ in range(4):
        clock.shift(timedelta(minutes=20))
        assert session.get("/staff/").status_code == 200
