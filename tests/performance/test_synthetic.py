"""``generate_demand`` writes a realistic, deterministic history every measure can read.

Transactional: the command writes from threads with their own connections and
commits batch by batch, and the rollups read only committed events.
"""

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Max

from cairn.contacts.models import Call, Contact
from cairn.events.models import DomainEvent
from cairn.performance.measures import MEASURE_LIST
from cairn.performance.queries import Filters, Period, breakdown, figures, rate
from cairn.performance.synthetic import Plan

pytestmark = pytest.mark.django_db(transaction=True)

END = date(2026, 6, 30)
DAYS = 60
PERIOD = Period(date(2026, 5, 2), END)


def generate(contacts=2000, seed=7, **options) -> str:
    out = StringIO()
    call_command(
        "generate_demand",
        contacts=contacts,
        days=DAYS,
        seed=seed,
        end=END,
        batch=500,
        stdout=out,
        stderr=out,
        **options,
    )
    return out.getvalue()


def contact_rows(ids: range) -> list[tuple]:
    """What a contact is, without its ids (a second run takes new ones)."""
    rows = (
        Contact.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list(
            "channel", "received_at", "division_id", "reason", "category", "status", "language",
            "anonymous", "reporter_phone", "reporter_email", "related_to_id", "call__line",
        )
    )  # fmt: skip
    return [(*row[:10], row[10] is not None, row[11]) for row in rows]


def event_rows(first_id: int, last_id: int) -> Counter:
    return Counter(
        DomainEvent.objects.filter(pk__gte=first_id, pk__lte=last_id).values_list(
            "name", "occurred_at", "division", "channel"
        )
    )


def test_it_writes_the_contacts_their_calls_and_their_events():
    output = generate()

    assert Contact.objects.count() == 2000
    assert DomainEvent.objects.filter(name="contact.received").count() == 2000
    phoned = Contact.objects.filter(channel__in=["phone_999", "phone_101"])
    assert phoned.filter(call__isnull=True).count() == 0
    assert Contact.objects.exclude(channel__in=["phone_999", "phone_101"]).filter(
        call__isnull=False
    ).count() == 0  # fmt: skip
    abandoned = Call.objects.filter(abandoned=True).count()
    assert Call.objects.count() == phoned.count() + abandoned
    assert DomainEvent.objects.filter(name="call.abandoned").count() == abandoned
    assert DomainEvent.objects.filter(name="call.answered").count() == phoned.count()
    assert 0.02 < abandoned / Call.objects.count() < 0.09
    references = list(Contact.objects.values_list("reference", flat=True))
    assert len(set(references)) == 2000
    assert all(reference.startswith("SYN-") for reference in references)
    # History never lands in anyone's queue.
    assert not Contact.objects.filter(status__in=["received", "in_assessment"]).exists()
    first = PERIOD.start
    assert not Contact.objects.filter(received_at__lt=first).exists()
    assert not DomainEvent.objects.filter(occurred_at__gte=PERIOD.end).exists()
    assert "2,000/2,000" in output  # the progress bar
    assert "Rollups caught up" in output


def test_every_measure_has_figures_and_the_shapes_are_realistic():
    generate()

    for measure in MEASURE_LIST:
        assert figures(measure.code, PERIOD).n > 0, measure.code
    answer_999 = figures("answer_999", PERIOD)
    assert answer_999.mean < 10
    assert 0.75 < answer_999.share_below(10) < 0.97
    assert figures("answer_101", PERIOD).mean > 120
    contacts = Contact.objects.count()
    by_channel = Counter(Contact.objects.values_list("channel", flat=True))
    assert 0.21 < by_channel["phone_999"] / contacts < 0.29
    assert 0.31 < by_channel["phone_101"] / contacts < 0.39
    assert 0.16 < by_channel["web_form"] / contacts < 0.24
    assert len(Contact.objects.values("division_id").distinct()) == 14  # 13 and "unknown"
    # Glasgow's appointments wait longer than Edinburgh's: consistency has something to show.
    glasgow = figures("appointment_wait", PERIOD, Filters(division="G"))
    edinburgh = figures("appointment_wait", PERIOD, Filters(division="E"))
    assert glasgow.percentile(50) > 1.5 * edinburgh.percentile(50)
    # Repeat people: some numbers come back, most do not.
    repeats = Counter(Contact.objects.exclude(reporter_phone="").values_list("reporter_phone"))
    assert max(repeats.values()) > 3
    assert sum(1 for count in repeats.values() if count == 1) > len(repeats) / 2
    # Satisfaction skewed positive; evenings busier than the small hours.
    assert figures("satisfaction", PERIOD).mean > 3.3
    hours = Counter(moment.hour for moment in Contact.objects.values_list("received_at", flat=True))
    assert hours[18] + hours[19] > 3 * (hours[3] + hours[4])


def test_about_one_contact_in_five_is_failure_demand():
    generate()

    share = rate("failure_demand", "contacts", PERIOD)
    assert 0.17 < share < 0.23
    follow_ups = Contact.objects.filter(related_to__isnull=False)
    assert follow_ups.count() > 0.1 * Contact.objects.count()
    assert all(
        earlier.received_at < later.received_at
        for later in follow_ups.select_related("related_to")[:200]
        for earlier in [later.related_to]
    )


def test_a_seed_gives_the_same_history_and_another_seed_another():
    generate(seed=11)
    first_contacts = Contact.objects.aggregate(top=Max("pk"))["top"]
    first_events = DomainEvent.objects.aggregate(top=Max("pk"))["top"]
    generate(seed=11)
    second_contacts = Contact.objects.aggregate(top=Max("pk"))["top"]
    second_events = DomainEvent.objects.aggregate(top=Max("pk"))["top"]
    generate(seed=12)

    once = contact_rows(range(first_contacts - 1999, first_contacts + 1))
    again = contact_rows(range(first_contacts + 1, second_contacts + 1))
    assert len(once) == 2000
    assert once == again
    assert event_rows(0, first_events) == event_rows(first_events + 1, second_events)
    other = contact_rows(range(second_contacts + 1, second_contacts + 2001))
    assert len(other) == 2000
    assert other != once


def test_it_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="never in production"):
        generate()
    assert not Contact.objects.exists()


def test_the_days_share_the_contacts_exactly_with_weekly_and_seasonal_shapes():
    plan = Plan(contacts=100_000, days=365, seed=1, end=date(2026, 12, 31))
    days = dict(plan.contacts_per_day())

    assert sum(days.values()) == 100_000
    assert days[date(2026, 7, 17)] > days[date(2026, 1, 16)] * 1.15  # a summer Friday
    assert days[date(2026, 12, 19)] > days[date(2026, 12, 5)]  # late December, both Saturdays
    assert days[date(2026, 7, 18)] > days[date(2026, 7, 14)]  # Saturday over Tuesday


def test_handling_repeats_transfers_partners_updates_and_engagement_look_real():
    generate()

    handled_999, handled_101 = figures("handling_999", PERIOD), figures("handling_101", PERIOD)
    # Every answered call has ended, but for a call still going when the history ends.
    assert 0 <= figures("answer_999", PERIOD).n - handled_999.n <= 2
    assert 200 < handled_999.mean < 350
    assert handled_101.percentile(50) > 1.5 * handled_999.percentile(50)
    contacts = figures("contacts", PERIOD).n
    repeats = breakdown("repeat_contacts", PERIOD, "detail")
    assert 0.15 < repeats["person"] / contacts < 0.45
    assert 0.1 < repeats["matter"] / contacts < 0.2  # follow-ups: three in four of failure demand
    assert 0.08 < repeats["location"] / figures("contacts_located", PERIOD).n < 0.3
    assert breakdown("regrade_rationale", PERIOD, "detail") == {
        "with_rationale": figures("regrades", PERIOD).n
    }
    assert set(breakdown("transfers", PERIOD, "detail")) == {
        "contact_to_department",
        "case_to_resolution_team",
        "case_to_other_team",
    }
    assert 0.03 < rate("referrals", "decisions", PERIOD) < 0.12  # diversion
    answers = breakdown("referral_responses", PERIOD, "detail")
    assert answers["accepted"] > 4 * answers["declined"] > 0
    assert "support_provided" in breakdown("referral_outcomes", PERIOD, "detail")
    updates = breakdown("public_updates", PERIOD, "detail")
    assert updates["on_time"] / sum(updates.values()) > 0.97
    assert not updates.get("not_recorded")
    engagement = breakdown("engagement", PERIOD, "detail")
    surveys = engagement["survey_with_comment"] + engagement["survey_without_comment"]
    assert 0.08 < surveys / figures("cases_closed", PERIOD).n < 0.16
    assert engagement["message_on_case"] > 0
