"""Incidents resolved in entirety by the Resolution Teams (HMICS area for development)."""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from cairn.accounts.models import Team
from cairn.accounts.roles import Role
from cairn.cases.models import Case, ClosureOutcome
from cairn.cases.queries import resolved_in_entirety
from cairn.cases.services import close_case, open_case
from cairn.resolution.services import close_in_entirety, hand_on, route_to_resolution_team
from tests.cases.test_resolution import edinburgh_contact
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db

ENTIRETY = ClosureOutcome.RESOLVED_BY_RESOLUTION_TEAM


@pytest.fixture
def east(divisions):
    return Team.objects.create(name="Resolution Team – East", division_id="E")


@pytest.fixture
def local(divisions):
    return Team.objects.create(name="Leith Community Team", division_id="E")


@pytest.fixture
def officer(east):
    return make_staff("resolver", Role.RESOLUTION_OFFICER, team=east)


@pytest.fixture
def constable(local):
    return make_staff("constable", Role.LOCAL_OFFICER, team=local)


def routed(handler) -> Case:
    case = open_case(edinburgh_contact(), category="crime.theft", actor=handler)
    return route_to_resolution_team(case, actor=handler)


def closed_on(case: Case, when: datetime) -> None:
    Case.objects.filter(pk=case.pk).update(closed_at=when)


TODAY = timezone.localdate()  # London (settings.TIME_ZONE)


def test_counts_the_cases_the_team_resolved_against_all_it_closed(
    east, officer, constable, handler
):
    resolved = [routed(handler) for _ in range(2)]
    for case in resolved:
        close_in_entirety(case, outcome=ENTIRETY, public_message="Done.", actor=officer)
    no_crime = routed(handler)
    close_in_entirety(no_crime, outcome="no_crime", public_message="Done.", actor=officer)
    # Handed to a local team and back: closed by the team, but not in entirety.
    went_local = routed(handler)
    hand_on(went_local, team=constable.team, rationale="Needs a visit.", actor=officer)
    hand_on(went_local, team=east, rationale="Visit done.", actor=constable)
    close_case(went_local, outcome=ENTIRETY, public_message="Done.", actor=handler)
    # Closed by a local team: not the Resolution Team's.
    local_case = routed(handler)
    hand_on(local_case, team=constable.team, rationale="Needs a visit.", actor=officer)
    close_case(local_case, outcome="resolved_locally", public_message="Done.", actor=constable)
    # Still open: not counted.
    routed(handler)

    counts = resolved_in_entirety((TODAY, TODAY))

    assert counts.closed_by_resolution_teams == 4
    assert counts.resolved_in_entirety == 2
    assert counts.rate == 0.5


def test_the_period_is_london_dates_inclusive_and_the_division_filters(east, officer, handler):
    case = routed(handler)
    close_in_entirety(case, outcome=ENTIRETY, public_message="Done.", actor=officer)
    # 23:30 UTC on 31 May is 00:30 on 1 June in London (summer time).
    closed_on(case, datetime(2026, 5, 31, 23, 30, tzinfo=UTC))

    assert resolved_in_entirety((date(2026, 6, 1), date(2026, 6, 30))).resolved_in_entirety == 1
    assert resolved_in_entirety((date(2026, 5, 1), date(2026, 5, 31))).resolved_in_entirety == 0
    june = (date(2026, 6, 1), date(2026, 6, 1))
    assert resolved_in_entirety(june, division="E").closed_by_resolution_teams == 1
    assert resolved_in_entirety(june, division="G").closed_by_resolution_teams == 0
    assert resolved_in_entirety(june, division="G").rate is None
