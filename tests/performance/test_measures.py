"""Every measure computed from a small hand-made history, to the exact figure.

The history is domain events as the services write them; the rollups fold
them in and the queries read the cells. Transactional: the rollups see only
committed events (as in production).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from cairn.events.services import record_event
from cairn.performance.queries import Filters, Period, breakdown, figures, grain_slices, rate

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


def at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


def event(name: str, when: datetime, *, division="", channel="", **data) -> None:
    with transaction.atomic():
        record_event(
            name,
            subject_type="test",
            subject_id=1,
            occurred_at=when,
            division=division,
            channel=channel,
            data=data,
        )


def test_999_answer_times_give_the_published_figures():
    for day, seconds in enumerate([3, 8, 10, 12, 45, 75], start=2):
        event("call.answered", at(day), channel="phone_999", seconds_to_answer=seconds)
    event("call.answered", at(3), channel="phone_101", seconds_to_answer=400)  # not 999

    answered = figures("answer_999", NOVEMBER)

    assert answered.n == 6
    assert answered.mean == 25.5  # 153 / 6
    assert answered.share_below(10) == 2 / 6
    assert answered.share_below(60) - answered.share_below(10) == pytest.approx(3 / 6)  # 10-59 s
    assert 1 - answered.share_below(60) == pytest.approx(1 / 6)  # 60 s or more
    assert answered.percentile(50) == 10.0
    # Past a minute the buckets are ten seconds wide: 75 s is reported as its bucket, 70 s.
    assert answered.percentile(90) == 70.0
    assert figures("answer_101", NOVEMBER).mean == 400.0


def test_failure_demand_is_chasing_and_follow_ups_over_all_contacts():
    for reason in ["new_matter"] * 6 + ["information"]:
        event("contact.received", at(5), channel="web_form", reason=reason, category="")
    event("contact.received", at(6), channel="phone_101", reason="update", category="")
    event("contact.received", at(6), channel="email", reason="update", category="")
    event("contact.received", at(7), channel="web_form", reason="new_matter", follow_up_of=41)

    assert figures("contacts", NOVEMBER).n == 10
    assert figures("failure_demand", NOVEMBER).n == 3
    assert rate("failure_demand", "contacts", NOVEMBER) == 0.3
    assert rate("failure_demand", "contacts", NOVEMBER, Filters(channel="web_form")) == 1 / 8


def test_appointment_waiting_times_per_division():
    for minutes in (60, 120, 180):
        event("appointment.booked", at(10), division="E", wait_minutes=minutes)
    event("appointment.booked", at(10), division="G", wait_minutes=1440)

    edinburgh = figures("appointment_wait", NOVEMBER, Filters(division="E"))
    glasgow = figures("appointment_wait", NOVEMBER, Filters(division="G"))

    assert (edinburgh.n, edinburgh.percentile(50), edinburgh.percentile(90)) == (3, 120.0, 180.0)
    assert (glasgow.n, glasgow.percentile(50)) == (1, 1440.0)
    assert breakdown("appointment_wait", NOVEMBER, "division") == {"E": 3, "G": 1}


def test_the_period_is_london_dates_and_the_previous_period_is_as_long():
    event("complaints_never", at(1))  # an event no measure reads
    event("complaint.received", datetime(2026, 10, 31, 23, 30, tzinfo=LONDON))
    event("complaint.received", datetime(2026, 11, 1, 0, 30, tzinfo=LONDON))
    event("complaint.received", datetime(2026, 11, 30, 23, 59, tzinfo=LONDON))

    assert figures("complaints", NOVEMBER).n == 2
    assert NOVEMBER.previous() == Period(date(2026, 10, 2), date(2026, 10, 31))
    assert figures("complaints", NOVEMBER.previous()).n == 1


def test_grades_outcomes_referrals_and_satisfaction_break_down_by_detail():
    for grade in ("immediate", "standard", "standard", "other_resolution"):
        event("contact.decided", at(4), grade=grade)
    event("case.closed", at(8), outcome="resolved_by_resolution_team")
    event("case.closed", at(8), outcome="resolved_locally")
    event("referral.made", at(9), service_type="distress_brief_intervention")
    for name in ("appointment.attended", "appointment.attended", "appointment.missed"):
        event(name, at(12), division="E")
    for overall in (5, 4, 2):
        event("survey.answered", at(20), channel="web_form", scores={"overall": overall})

    assert breakdown("decisions", NOVEMBER, "detail") == {
        "standard": 2,
        "immediate": 1,
        "other_resolution": 1,
    }
    assert breakdown("cases_closed", NOVEMBER, "detail")["resolved_by_resolution_team"] == 1
    assert figures("referrals", NOVEMBER).n == 1
    assert breakdown("appointment_outcomes", NOVEMBER, "detail") == {"attended": 2, "missed": 1}
    satisfaction = figures("satisfaction", NOVEMBER)
    assert (satisfaction.n, round(satisfaction.mean, 4), satisfaction.percentile(50)) == (
        3,
        round(11 / 3, 4),
        4.0,
    )


def test_a_period_across_months_reads_whole_months_and_the_days_either_side():
    period = Period(date(2026, 10, 10), date(2026, 12, 5))
    assert grain_slices(period) == [
        ("day", date(2026, 10, 10), date(2026, 11, 1)),
        ("month", date(2026, 11, 1), date(2026, 12, 1)),
        ("day", date(2026, 12, 1), date(2026, 12, 6)),
    ]
    assert grain_slices(Period(date(2026, 11, 3), date(2026, 11, 20))) == [
        ("day", date(2026, 11, 3), date(2026, 11, 21))
    ]
    october = datetime(2026, 10, 9, 23, 30, tzinfo=LONDON)  # the evening before: not in it
    for when, seconds in [
        (october, 1),
        (datetime(2026, 10, 10, 0, 5, tzinfo=LONDON), 4),
        (at(15), 9),
        (at(30, 23, 59), 12),
        (datetime(2026, 12, 5, 23, 0, tzinfo=LONDON), 20),
        (datetime(2026, 12, 6, 0, 0, tzinfo=LONDON), 40),  # the day after: not in it
    ]:
        event("call.answered", when, division="E", channel="phone_999", seconds_to_answer=seconds)

    answered = figures("answer_999", period)
    assert (answered.n, answered.total, answered.percentile(50)) == (4, 45.0, 9.0)
    assert figures("answer_999", period, Filters(division="E", channel="phone_999")).n == 4
    assert figures("answer_999", period, Filters(division="G")).n == 0
    assert breakdown("answer_999", period, "division", Filters(channel="phone_999")) == {"E": 4}
    assert breakdown("answer_999", period, "channel", Filters(division="E")) == {"phone_999": 4}
