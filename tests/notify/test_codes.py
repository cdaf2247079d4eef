"""One-time codes: hashed, 10 minutes, five wrong tries, one at a time per subject."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from cairn.notify.codes import CodeOutcome, check_code, forget_old_codes, issue_code
from cairn.notify.models import CodeEnd, VerificationCode

pytestmark = pytest.mark.django_db

SUBJECT = "email:sam@example.scot"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def issue(subject=SUBJECT, sendable=True):
    return issue_code(purpose="test", subject=subject, sendable=sendable)


def check(issued, typed, subject=SUBJECT):
    return check_code(issued.code.pk, purpose="test", subject=subject, typed=typed)


def wrong(issued) -> str:
    return next(c for c in ("000000", "111111", "222222") if c != issued.plain)


def test_the_right_code_works_once():
    issued = issue()
    assert len(issued.plain) == 6 and issued.plain.isdigit()
    assert check(issued, f" {issued.plain[:3]} {issued.plain[3:]} ").outcome == CodeOutcome.VERIFIED
    assert check(issued, issued.plain).outcome == CodeOutcome.ENDED


def test_neither_the_code_nor_the_subject_is_stored_in_clear():
    issued = issue()
    stored = VerificationCode.objects.values().get(pk=issued.code.pk)
    assert not any(
        issued.plain in str(value) or "sam@example.scot" in str(value) for value in stored.values()
    )


def test_five_wrong_tries_end_the_code():
    issued = issue()
    left = [check(issued, wrong(issued)).tries_left for _ in range(4)]
    assert left == [4, 3, 2, 1]
    assert check(issued, wrong(issued)).outcome == CodeOutcome.TOO_MANY_TRIES
    assert check(issued, issued.plain).outcome == CodeOutcome.ENDED
    assert VerificationCode.objects.get().end_reason == CodeEnd.TOO_MANY_TRIES


def test_a_code_lasts_ten_minutes():
    with time_machine.travel(START, tick=False) as clock:
        issued = issue()
        clock.shift(timedelta(minutes=9, seconds=59))
        assert check(issued, wrong(issued)).outcome == CodeOutcome.WRONG
        clock.shift(timedelta(seconds=1))
        assert check(issued, issued.plain).outcome == CodeOutcome.ENDED


def test_a_new_code_ends_the_one_before():
    first = issue()
    second = issue()
    assert check(first, first.plain).outcome == CodeOutcome.ENDED
    assert check(second, second.plain).outcome == CodeOutcome.VERIFIED


def test_a_code_proves_only_its_own_subject():
    issued = issue()
    assert check(issued, issued.plain, subject="email:other@example.scot").outcome == (
        CodeOutcome.ENDED
    )


def test_a_code_that_was_never_sent_matches_nothing():
    issued = issue(sendable=False)
    assert issued.plain == ""
    for candidate in ("000000", "123456", ""):
        assert check(issued, candidate).outcome == CodeOutcome.WRONG


def test_codes_are_deleted_after_a_day():
    with time_machine.travel(START, tick=False) as clock:
        issue()
        clock.shift(timedelta(hours=23))
        assert forget_old_codes() == 0
        clock.shift(timedelta(hours=2))
        assert forget_old_codes() == 1
