"""The case worklist: each member of staff sees the open cases they work, oldest first."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cairn.accounts.models import Team
from cairn.accounts.roles import Role
from cairn.cases.models import Case
from cairn.cases.services import close_case, open_case, record_message_from_person
from cairn.places.models import Division
from cairn.resolution.services import hand_on, route_to_resolution_team, take_case
from cairn.resolution.worklists import WorklistFilters, case_worklist
from cairn.triage.models import NextStep
from tests.cases.test_resolution import edinburgh_contact, resolution_contact
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def east(divisions):
    return Team.objects.create(name="Resolution Team – East", division_id="E")


@pytest.fixture
def local(divisions):
    return Team.objects.create(name="Edinburgh City Centre Community Team", division_id="E")


@pytest.fixture
def officer(east):
    return make_staff("resolver", Role.RESOLUTION_OFFICER, team=east)


@pytest.fixture
def constable(local):
    return make_staff("constable", Role.LOCAL_OFFICER, team=local)


def routed_case(handler, minutes_ago: int = 0) -> Case:
    case = open_case(edinburgh_contact(), category="crime.theft", actor=handler)
    Case.objects.filter(pk=case.pk).update(
        opened_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    route_to_resolution_team(case, actor=handler)
    return case


def references(rows) -> list[str]:
    return [row.case.reference for row in rows]


def test_a_resolution_officer_sees_their_teams_open_cases_oldest_first(east, officer, handler):
    newer = routed_case(handler, minutes_ago=5)
    older = routed_case(handler, minutes_ago=50)
    closed = routed_case(handler, minutes_ago=90)
    close_case(closed, outcome="no_crime", public_message="Closed.", actor=handler)
    elsewhere = open_case(edinburgh_contact(), category="crime.theft", actor=handler)

    rows = case_worklist(officer)

    assert references(rows) == [older.reference, newer.reference]
    assert all(row.is_new and not row.mine for row in rows)
    assert elsewhere.reference not in references(rows)


def test_what_needs_doing_new_taken_the_person_waiting(east, officer, handler):
    case = routed_case(handler)
    take_case(case, actor=officer)
    record_message_from_person(case.case_contacts.get().contact, text="I found a witness.")

    [row] = case_worklist(officer)

    assert row.mine and not row.is_new
    assert row.person_waiting_since is not None
    assert row.contact_reference == case.case_contacts.get().contact.reference


def test_a_resolution_task_is_due_a_standard_time_after_the_decision(
    east, officer, handler, settings
):
    settings.CAIRN_RESOLUTION_CONTACT_HOURS = 2
    contact = resolution_contact(handler)
    case = contact.case_link.case
    route_to_resolution_team(case, actor=handler)
    step = NextStep.objects.get(contact=contact)

    [row] = case_worklist(officer)
    assert row.due_by == step.created_at + timedelta(hours=2)
    assert not row.overdue

    NextStep.objects.filter(pk=step.pk).update(created_at=timezone.now() - timedelta(hours=3))
    [row] = case_worklist(officer)
    assert row.overdue
    assert references(case_worklist(officer, WorklistFilters(needs="overdue"))) == [case.reference]


def test_a_local_officer_sees_their_cases_and_their_teams_untaken_ones(
    east, local, officer, constable, handler
):
    mine = routed_case(handler, minutes_ago=30)
    hand_on(mine, officer=constable, rationale="Needs a visit.", actor=officer)
    for_the_team = routed_case(handler, minutes_ago=20)
    hand_on(for_the_team, team=local, rationale="Needs a visit.", actor=officer)
    colleague = make_staff("constable2", Role.LOCAL_OFFICER, team=local)
    theirs = routed_case(handler, minutes_ago=10)
    hand_on(theirs, officer=colleague, rationale="Knows the family.", actor=officer)
    routed_case(handler)  # still with the Resolution Team

    rows = case_worklist(constable)

    assert references(rows) == [mine.reference, for_the_team.reference]
    assert [row.mine for row in rows] == [True, False]
    assert rows[1].is_new


def test_a_supervisor_sees_their_division_and_filters(east, local, officer, handler):
    supervisor = make_staff("sergeant", Role.SUPERVISOR, division=Division.objects.get(code="E"))
    new = routed_case(handler, minutes_ago=20)
    taken = routed_case(handler, minutes_ago=10)
    take_case(taken, actor=officer)
    west = open_case(edinburgh_contact(), category="crime.theft", actor=handler)
    Case.objects.filter(pk=west.pk).update(division_id="G")

    assert references(case_worklist(supervisor)) == [new.reference, taken.reference]
    assert references(case_worklist(supervisor, WorklistFilters(needs="new"))) == [new.reference]
    assert references(case_worklist(supervisor, WorklistFilters(division="G"))) == [west.reference]
    assert len(case_worklist(supervisor, WorklistFilters(all_divisions=True))) == 3
    assert references(case_worklist(supervisor, WorklistFilters(team=local.pk))) == []


def test_the_worklist_is_refused_without_the_case_capability(analyst):
    with pytest.raises(PermissionDenied):
        case_worklist(analyst)


def test_the_worklist_costs_the_same_queries_for_two_cases_or_eight(east, officer, handler):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            rows = case_worklist(officer)
            for row in rows:  # what the page reads of each row
                str(row.case.team), str(row.case.officer), row.contact_reference, row.due_by
        return len(queries)

    for _ in range(2):
        take_case(routed_case(handler), actor=officer)
    two = count()
    for _ in range(6):
        routed_case(handler)
    assert count() == two
