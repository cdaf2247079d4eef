"""Lockout: 5 failures for one username within 15 minutes lock it for 30 minutes.

The clock is frozen (time_machine) and moved by hand, so every boundary is exact.
"""

from datetime import timedelta

import pytest
from django.test import Client

from cairn.audit.models import AuditEvent, Operation
from tests.support import VERIFY, body, code_now, enter_password, wrong_code

pytestmark = pytest.mark.django_db

LOCKED = "This account is locked because of too many failed attempts"
NOT_RIGHT = "The username or password is not right"


def fail_password(client: Client, username: str = "advisor"):
    return enter_password(client, username, password="not the right password")


def fail_passwords(client: Client, times: int, username: str = "advisor", clock=None, every=None):
    response = None
    for attempt in range(times):
        if clock is not None and every is not None and attempt:
            clock.shift(every)
        response = fail_password(client, username)
    return response


def is_locked_out(response) -> bool:
    return response.status_code == 403 and LOCKED in body(response)


def test_five_failures_within_fifteen_minutes_lock_the_username(clock, advisor):
    response = fail_passwords(Client(), 5, clock=clock, every=timedelta(minutes=3))
    assert is_locked_out(response)


def test_the_locked_message_says_when_the_lock_ends(clock, advisor):
    # Failures at 09:00, 09:03, … 09:12: the lock runs until 09:42.
    response = fail_passwords(Client(), 5, clock=clock, every=timedelta(minutes=3))
    assert "Try again after 09:42" in body(response)


def test_four_failures_do_not_lock(clock, advisor):
    client = Client()
    response = fail_passwords(client, 4)
    assert response.status_code == 200
    assert NOT_RIGHT in body(response)
    assert enter_password(client, "advisor").status_code == 302


def test_four_failures_then_a_pause_of_over_fifteen_minutes_do_not_lock(clock, advisor):
    client = Client()
    fail_passwords(client, 4)
    clock.shift(timedelta(minutes=15, seconds=1))
    response = fail_password(client)
    assert response.status_code == 200
    assert NOT_RIGHT in body(response)
    assert enter_password(client, "advisor").status_code == 302


def test_a_correct_password_while_locked_is_refused(clock, advisor):
    client = Client()
    fail_passwords(client, 5)
    response = enter_password(client, "advisor")
    assert is_locked_out(response)
    assert not AuditEvent.objects.filter(operation=Operation.LOGIN).exists()
    assert client.get(VERIFY).status_code == 302  # no password session was started


def test_the_lock_still_holds_just_before_thirty_minutes(clock, advisor):
    client = Client()
    fail_passwords(client, 5)
    clock.shift(timedelta(minutes=29, seconds=59))
    assert is_locked_out(enter_password(client, "advisor"))


def test_the_correct_password_works_thirty_minutes_after_locking(clock, advisor):
    client = Client()
    fail_passwords(client, 5)
    clock.shift(timedelta(minutes=30))
    assert enter_password(client, "advisor").status_code == 302
    assert client.post(VERIFY, {"token": code_now()})["Location"] == "/staff/"


def test_locking_writes_a_locked_out_audit_event(clock, advisor):
    fail_passwords(Client(), 5)
    assert AuditEvent.objects.filter(operation=Operation.LOCKED_OUT).count() == 1
    assert AuditEvent.objects.filter(operation=Operation.LOGIN_FAILED).count() == 5


def test_failures_are_counted_per_username(clock, advisor, supervisor):
    client = Client()
    fail_passwords(client, 4, username="advisor")
    fail_passwords(client, 5, username="supervisor")
    assert enter_password(Client(), "advisor").status_code == 302
    assert is_locked_out(enter_password(Client(), "supervisor"))


def test_usernames_are_counted_case_insensitively(clock, advisor):
    client = Client()
    for typed in ("Advisor", "ADVISOR", "aDvIsOr", " advisor ", "ADVISOR"):
        fail_password(client, typed)
    assert is_locked_out(enter_password(client, "advisor"))


def test_an_unknown_username_can_be_locked(clock, advisor):
    response = fail_passwords(Client(), 5, username="no-such-person")
    assert is_locked_out(response)


def test_an_unknown_username_gets_the_same_answers_as_a_real_one(clock, advisor):
    unknown = [fail_password(Client(), "no-such-person") for _ in range(5)]
    known = [fail_password(Client(), "advisor") for _ in range(5)]
    assert [r.status_code for r in unknown] == [r.status_code for r in known] == [200] * 4 + [403]
    assert NOT_RIGHT in body(unknown[0]) and NOT_RIGHT in body(known[0])
    assert LOCKED in body(unknown[-1]) and LOCKED in body(known[-1])


def test_wrong_authenticator_codes_count_as_failures(clock, advisor):
    client = Client()
    enter_password(client, "advisor")
    responses = [client.post(VERIFY, {"token": wrong_code()}) for _ in range(5)]
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert is_locked_out(responses[-1])
    assert AuditEvent.objects.filter(operation=Operation.MFA_FAILED).count() == 5


def test_locking_on_wrong_codes_ends_the_password_session(clock, advisor):
    client = Client()
    enter_password(client, "advisor")
    for _ in range(5):
        client.post(VERIFY, {"token": wrong_code()})
    assert client.get("/staff/")["Location"].startswith("/staff/sign-in/?")


def test_a_correct_password_while_locked_by_wrong_codes_is_refused(clock, advisor):
    client = Client()
    enter_password(client, "advisor")
    for _ in range(5):
        client.post(VERIFY, {"token": wrong_code()})
    assert is_locked_out(enter_password(Client(), "advisor"))


def test_a_correct_password_does_not_reset_the_count_of_wrong_codes(clock, advisor):
    # Otherwise someone holding the password could guess codes without ever locking.
    first = Client()
    enter_password(first, "advisor")
    for _ in range(3):
        first.post(VERIFY, {"token": wrong_code()})
    second = Client()
    enter_password(second, "advisor")
    second.post(VERIFY, {"token": wrong_code()})
    assert is_locked_out(second.post(VERIFY, {"token": wrong_code()}))


def test_wrong_passwords_and_wrong_codes_add_up(clock, advisor):
    client = Client()
    fail_passwords(client, 4)
    enter_password(client, "advisor")
    assert is_locked_out(client.post(VERIFY, {"token": wrong_code()}))


def test_a_correct_code_is_refused_once_the_username_is_locked(clock, advisor):
    halfway = Client()
    enter_password(halfway, "advisor")
    fail_passwords(Client(), 5)
    assert is_locked_out(halfway.post(VERIFY, {"token": code_now()}))
    assert halfway.get("/staff/")["Location"].startswith("/staff/sign-in/?")


def test_a_full_sign_in_clears_earlier_failures(clock, advisor):
    client = Client()
    fail_passwords(client, 4)
    enter_password(client, "advisor")
    client.post(VERIFY, {"token": code_now()})
    clock.shift(timedelta(minutes=1))
    assert fail_passwords(Client(), 4).status_code == 200
