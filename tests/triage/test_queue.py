"""The open queue: who is in it, in which order, the filters, and a constant number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cairn.accounts.models import Team
from cairn.accounts.roles import Role
from cairn.audit.models import AuditEvent, Operation
from cairn.contacts.models import Contact, Status
from cairn.triage.models import Claim, Cue, CueStatus
from cairn.triage.policy import current_policy
from cairn.triage.queries import open_queue
from cairn.triage.services import raise_pending_cues
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


def waiting(minutes_ago: int, channel: str = "web_form", **fields) -> Contact:
    return Contact.objects.create(
        channel=channel, received_at=timezone.now() - timedelta(minutes=minutes_ago), **fields
    )


def cue(contact: Contact, kind: str, status: str = CueStatus.RAISED) -> Cue:
    return Cue.objects.create(
        contact=contact,
        kind=kind,
        source="narrative",
        evidence="words",
        raised_at=timezone.now(),
        status=status,
        dismissal_note="not relevant" if status == CueStatus.DISMISSED else "",
    )


def references(entries) -> list[str]:
    return [entry.reference for entry in entries]


def kinds_by_urgency() -> list[str]:
    kinds = current_policy().cue_kinds.values()
    return [kind.code for kind in sorted(kinds, key=lambda kind: -kind.urgency)]


def test_the_oldest_waits_first_when_nothing_else_differs(advisor):
    newer, older = waiting(5), waiting(30)
    assert references(open_queue(advisor)) == [older.reference, newer.reference]


def test_a_more_urgent_cue_goes_before_a_longer_wait(advisor):
    urgency = {code: kind.urgency for code, kind in current_policy().cue_kinds.items()}
    most = kinds_by_urgency()[0]
    least = [code for code in kinds_by_urgency() if 0 < urgency[code] < urgency[most]][-1]
    old_plain, old_minor, new_urgent = waiting(60), waiting(50), waiting(1)
    cue(old_minor, least)
    cue(new_urgent, least)
    cue(new_urgent, most)  # the highest of a contact's cues counts
    entries = open_queue(advisor)
    assert references(entries) == [new_urgent.reference, old_minor.reference, old_plain.reference]
    assert [entry.urgency for entry in entries] == [urgency[most], urgency[least], 0]


def test_a_dismissed_cue_no_longer_moves_a_contact_up(advisor):
    older, newer = waiting(30), waiting(5)
    cue(newer, kinds_by_urgency()[0], status=CueStatus.DISMISSED)
    entries = open_queue(advisor)
    assert references(entries) == [older.reference, newer.reference]
    assert entries[1].cue_kinds == ()


def test_a_999_call_goes_first_among_equally_urgent_contacts(advisor):
    web = waiting(30)
    call = waiting(2, channel="phone_999")
    urgent_web = waiting(1)
    cue(urgent_web, kinds_by_urgency()[0])
    assert references(open_queue(advisor)) == [
        urgent_web.reference,
        call.reference,
        web.reference,
    ]


def test_only_waiting_undecided_contacts_are_in_the_queue(advisor):
    received = waiting(10)
    in_assessment = waiting(9, status=Status.IN_ASSESSMENT)
    waiting(8, status=Status.ASSESSED)
    waiting(7, status=Status.CLOSED)
    assert references(open_queue(advisor)) == [received.reference, in_assessment.reference]


def test_each_entry_says_who_holds_it_and_for_how_long(advisor):
    contact = waiting(20, status=Status.IN_ASSESSMENT)
    Claim.objects.create(
        contact=contact, handler=advisor, claimed_at=timezone.now() - timedelta(minutes=5)
    )
    cue(contact, "weapon")
    (entry,) = open_queue(advisor)
    assert entry.claimed_by == "Advisor"
    assert entry.claimed_by_id == advisor.pk
    assert timedelta(minutes=20) <= entry.waiting < timedelta(minutes=21)
    assert timedelta(minutes=5) <= entry.in_assessment < timedelta(minutes=6)
    assert entry.cue_kinds == ("weapon",)


def test_filters_by_channel_and_division(advisor, divisions):
    edinburgh_web = waiting(10, division_id="E")
    waiting(9, division_id="G")
    edinburgh_call = waiting(8, channel="phone_101", division_id="E")
    assert references(open_queue(advisor, division="E")) == [
        edinburgh_web.reference,
        edinburgh_call.reference,
    ]
    assert references(open_queue(advisor, channel="phone_101")) == [edinburgh_call.reference]
    assert references(open_queue(advisor, division="E", channel="web_form")) == [
        edinburgh_web.reference
    ]


def test_a_team_sees_its_division_and_what_its_members_are_working(advisor, divisions):
    team = Team.objects.create(name="Edinburgh service centre", division_id="E")
    member = make_staff("member", Role.SERVICE_ADVISOR, team=team)
    in_division = waiting(10, division_id="E")
    elsewhere = waiting(9, division_id="G")
    worked_by_member = waiting(8, division_id="G", status=Status.IN_ASSESSMENT)
    Claim.objects.create(contact=worked_by_member, handler=member, claimed_at=timezone.now())
    national = Team.objects.create(name="National")
    assert references(open_queue(advisor, team=team)) == [
        in_division.reference,
        worked_by_member.reference,
    ]
    assert elsewhere.reference not in references(open_queue(advisor, team=national))


def test_no_queue_for_someone_who_may_not_triage(analyst):
    waiting(5)
    assert open_queue(analyst) == []


def test_reading_the_queue_is_audited_without_personal_data(advisor):
    waiting(5)
    open_queue(advisor, channel="web_form")
    audit = AuditEvent.objects.get(object_type="contact_queue")
    assert audit.operation == Operation.CONSULTATION
    assert audit.context["results"] == 1
    assert audit.context["channel"] == "web_form"


def many_waiting(count: int, handler) -> None:
    now = timezone.now()
    contacts = Contact.objects.bulk_create(
        [
            Contact(
                channel="phone_999" if n % 7 == 0 else "web_form",
                received_at=now - timedelta(seconds=n),
                narrative="x" * 500,
            )
            for n in range(count)
        ]
    )
    kinds = kinds_by_urgency()
    Cue.objects.bulk_create(
        [
            Cue(
                contact=c,
                kind=kinds[n % len(kinds)],
                source="narrative",
                evidence="w",
                raised_at=now,
            )
            for n, c in enumerate(contacts)
            if n % 3 == 0
        ]
    )
    Claim.objects.bulk_create(
        [Claim(contact=c, handler=handler, claimed_at=now) for c in contacts[::5]]
    )


def test_the_queue_of_500_is_one_query_whatever_its_size(advisor):
    many_waiting(5, advisor)
    with CaptureQueriesContext(connection) as few:
        assert len(open_queue(advisor)) == 5
    many_waiting(495, advisor)
    with CaptureQueriesContext(connection) as many:
        entries = open_queue(advisor)
    assert len(entries) == 500
    assert len(many) == len(few)
    reads = [query for query in many.captured_queries if query["sql"].startswith("SELECT")]
    assert len(reads) == 1, [query["sql"][:120] for query in reads]
    assert sum(1 for entry in entries if entry.claimed_by) == 100


def test_the_queue_page_of_500_makes_as_many_queries_as_a_page_of_5(advisor, signed_in):
    # Cues already raised on all of them (the worker's sweep): what is counted
    # is drawing the page; raising cues costs per new contact, 25 at most a page.
    client = signed_in(advisor)
    many_waiting(5, advisor)
    raise_pending_cues(limit=1000)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/staff/queue/").status_code == 200
    many_waiting(495, advisor)
    raise_pending_cues(limit=1000)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/staff/queue/")
    assert response.status_code == 200
    assert response.content.decode().count('<tr data-contact="') == 500
    assert len(many) == len(few), [query["sql"][:100] for query in many.captured_queries]
