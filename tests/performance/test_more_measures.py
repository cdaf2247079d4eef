"""The measures added for handling time, repeat contact, regrades, transfers, partners,
updates to the public and engagement, each on a small hand-made history, to the exact figure.

Events are written as the services write them (their names and ``data`` keys); the
rollups fold them in and the queries read the cells. Transactional, as in
tests/performance/test_measures.py, whose helpers these are.
"""

import pytest
from django.utils.html import escape

from cairn.contacts.call_services import record_call_event
from cairn.performance.measures import MEASURES, PUBLIC_UPDATE_TEMPLATES
from cairn.performance.queries import Filters, Period, breakdown, figures, rate
from tests.contacts.test_calls import T0, report
from tests.performance.test_measures import NOVEMBER, at, event

pytestmark = pytest.mark.django_db(transaction=True)

NEW_MEASURES = (
    "handling_999", "handling_101", "repeat_contacts", "regrade_rationale", "transfers",
    "referral_responses", "referral_outcomes", "public_updates", "engagement",
)  # fmt: skip


def test_handling_time_has_a_mean_and_percentiles_for_999_and_101():
    for day, seconds in enumerate([95, 180, 240, 300, 1500], start=2):
        event("call.ended", at(day), channel="phone_999", seconds_handling=seconds)
    # An answer reported after the end carries the time instead (never both).
    event("call.answered", at(8), channel="phone_999", seconds_to_answer=4, seconds_handling=185)
    event("call.answered", at(8), channel="phone_999", seconds_to_answer=3)  # not ended yet
    event("call.ended", at(9), channel="phone_999", seconds_since_offered=40)  # abandoned
    event("call.ended", at(9), channel="phone_101", seconds_handling=600)

    handled = figures("handling_999", NOVEMBER)

    assert (handled.n, handled.total) == (6, 2500.0)
    # Ten-second buckets to 20 minutes, then a minute wide: 95 s is reported as 90 s.
    assert handled.percentile(50) == 180.0
    assert handled.percentile(90) == 1500.0
    assert handled.percentile(10) == 90.0
    assert figures("handling_101", NOVEMBER).mean == 600.0


def test_handling_time_from_the_telephony_events_as_they_arrive():
    period = Period(T0.date(), T0.date())
    for kind, seconds in [("offered", 0), ("answered", 10), ("ended", 250)]:
        record_call_event(report(kind, seconds, call="a"))
    for kind, seconds in [("ended", 400), ("answered", 30), ("offered", 0)]:  # out of order
        record_call_event(report(kind, seconds, call="b"))
    for kind, seconds in [("offered", 0), ("ended", 500), ("answered", 20)]:
        record_call_event(report(kind, seconds, call="c", line="101", queue="east-101"))

    assert (figures("handling_999", period).n, figures("handling_999", period).total) == (2, 610.0)
    assert figures("handling_101", period).total == 480.0


def test_repeat_contact_by_person_matter_and_location():
    for repeat in (True, True, False):
        event("person.linked", at(3), division="E", channel="phone_101", role="reporter",
              method="automatic", repeat_contact=repeat)  # fmt: skip
    event("person.linked", at(3), role="witness", method="manual")  # not a reporter: no fact
    event("contact.received", at(4), channel="web_form", reason="update", follow_up_of=17)
    event("contact.received", at(4), channel="web_form", reason="new_matter", follow_up_of=None)
    for repeat in (True, False, False):
        event("contact.located", at(5), division="G", channel="web_form", how="postcode",
              repeat_location=repeat)  # fmt: skip
    event("contact.located", at(5), division="G", how="postcode")  # from before the fact

    assert breakdown("repeat_contacts", NOVEMBER, "detail") == {
        "person": 2,
        "location": 1,
        "matter": 1,
    }
    # The intake event knows no division yet: follow-ups are counted without one.
    assert breakdown("repeat_contacts", NOVEMBER, "division") == {"E": 2, "G": 1, "": 1}
    # Each heading is read on its own (a contact may count under more than one).
    assert figures("repeat_contacts", NOVEMBER, Filters(detail="person")).n == 2
    assert figures("repeat_contacts", NOVEMBER, Filters(division="G", detail="location")).n == 1


def test_regrades_with_and_without_a_rationale():
    for has_rationale in (True, True, True, False):
        event("contact.regraded", at(6), division="N", grade="prompt", has_rationale=has_rationale)
    event("contact.regraded", at(6), grade="standard")  # written before the fact was kept
    event("contact.decided", at(6), grade="standard", has_rationale=False)  # not a regrade

    assert breakdown("regrade_rationale", NOVEMBER, "detail") == {
        "with_rationale": 3,
        "not_recorded": 1,
        "without_rationale": 1,
    }
    assert figures("regrades", NOVEMBER).n == figures("regrade_rationale", NOVEMBER).n == 5


def test_transfers_of_contacts_and_cases_but_not_within_a_team():
    event("contact.transferred", at(7), division="E", department="Road Policing")
    event("case.handed_on", at(7), division="E", from_team=1, to_team=2, to_officer=None,
          left_resolution_teams=True)  # fmt: skip
    event("case.handed_on", at(7), division="E", from_team=None, to_team=3, to_officer=None,
          left_resolution_teams=False)  # fmt: skip
    event(
        "case.handed_on",
        at(7),
        division="E",
        from_team=2,
        to_team=2,
        to_officer=9,
        left_resolution_teams=False,
    )  # another officer, same team: not a transfer

    assert breakdown("transfers", NOVEMBER, "detail") == {
        "case_to_other_team": 1,
        "case_to_resolution_team": 1,
        "contact_to_department": 1,
    }


def test_diversion_rate_and_what_partners_did_with_the_referrals():
    for grade in ("immediate", "other_resolution", "other_resolution", "standard", "prompt"):
        event("contact.decided", at(10), grade=grade)
    for service in ("victim_support", "distress_brief_intervention"):
        event("referral.made", at(10), division="A", case=1, agency=1, service_type=service)
    event("referral.accepted", at(11), division="A", service_type="victim_support", via="api")
    event("referral.declined", at(11), division="A", via="workspace")
    event("referral.outcome_recorded", at(20), division="A", outcome="support_provided")
    event("referral.withdrawn", at(21), division="A")

    assert rate("referrals", "decisions", NOVEMBER) == 0.4
    assert breakdown("referral_responses", NOVEMBER, "detail") == {"accepted": 1, "declined": 1}
    assert breakdown("referral_outcomes", NOVEMBER, "detail") == {
        "declined": 1,
        "support_provided": 1,
        "withdrawn": 1,
    }


def test_updates_to_the_public_on_time_late_or_failed():
    for seconds in (2.5, 40, 899.9):
        event(
            "message.sent",
            at(12),
            channel="email",
            template="case_updated",
            seconds_to_send=seconds,
        )
    event("message.sent", at(12), channel="sms", template="case_closed", seconds_to_send=900)
    event(
        "message.sent", at(12), channel="sms", template="appointment_booked", seconds_to_send=4000
    )
    event("message.failed", at(12), channel="sms", template="appointment_reminder", attempts=5)
    event("message.sent", at(12), channel="sms", template="case_updated")  # before the fact
    event("message.sent", at(12), channel="sms", template="verification_code", seconds_to_send=1)
    event("message.queued", at(12), channel="sms", template="case_updated")

    updates = breakdown("public_updates", NOVEMBER, "detail")
    assert updates == {"on_time": 3, "late": 2, "failed": 1, "not_recorded": 1}
    assert updates["on_time"] / sum(updates.values()) == 3 / 7
    assert breakdown("public_updates", NOVEMBER, "channel") == {"sms": 4, "email": 3}
    assert "verification_code" not in PUBLIC_UPDATE_TEMPLATES


def test_engagement_surveys_and_messages_and_the_survey_response_rate():
    for case in range(8):
        event("case.closed", at(14), division="V", outcome="resolved_locally", contacts=[case])
    event("survey.answered", at(15), division="V", channel="web_form",
          scores={"overall": 5}, commented=True)  # fmt: skip
    event("survey.answered", at(16), division="V", channel="email",
          scores={"overall": 2}, commented=False)  # fmt: skip
    for _ in range(3):
        event("case.person_wrote", at(17), division="V", update=1, contact=2)

    engagement = breakdown("engagement", NOVEMBER, "detail")
    assert engagement == {
        "message_on_case": 3,
        "survey_with_comment": 1,
        "survey_without_comment": 1,
    }
    surveys = engagement["survey_with_comment"] + engagement["survey_without_comment"]
    assert surveys / figures("cases_closed", NOVEMBER).n == 0.25


def test_each_new_measure_has_its_page_with_its_definition_and_breakdown(
    signed_in, analyst, divisions
):
    event("message.sent", at(12), channel="sms", template="case_closed", seconds_to_send=3)
    event("call.ended", at(12), channel="phone_101", seconds_handling=400)
    client = signed_in(analyst)

    for code in NEW_MEASURES:
        page = client.get(f"/staff/performance/{code}/", {"first": "2026-11-01"})
        assert page.status_code == 200, code
        assert escape(str(MEASURES[code].definition)) in page.content.decode(), code
    updates = client.get("/staff/performance/public_updates/", {"first": "2026-11-01"})
    assert ">On time<" in updates.content.decode()  # the detail row, as the page words it
