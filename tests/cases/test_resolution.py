"""The Resolution Team's work: routing, taking, calls, video links, handing on, closing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cairn.accounts.models import Team
from cairn.accounts.roles import Role
from cairn.audit.models import AuditEvent, Operation
from cairn.cases.models import (
    CaseHandOn,
    CaseStatus,
    ClosureOutcome,
    UpdateKind,
    Visibility,
)
from cairn.cases.resolution_teams import resolution_team_for
from cairn.cases.services import CaseClosed, close_case, open_case
from cairn.contacts.models import Contact
from cairn.events.models import DomainEvent
from cairn.notify.models import OutboundMessage
from cairn.resolution.services import (
    AlreadyTaken,
    close_in_entirety,
    closing_outcomes,
    hand_on,
    offer_video_call,
    record_resolution_contact,
    route_to_resolution_team,
    take_case,
)
from cairn.triage.models import NextStep, NextStepStatus
from tests.cases.conftest import new_contact
from tests.conftest import make_staff
from tests.triage.test_services import decided_with, thrive

pytestmark = pytest.mark.django_db


def events(case, name: str) -> list[DomainEvent]:
    return list(DomainEvent.objects.filter(subject_type="case", subject_id=str(case.pk), name=name))


def edinburgh_contact():
    """A new contact placed in division E (placing runs after intake; here it is set)."""
    contact = new_contact(postcode="EH6 5DT")
    Contact.objects.filter(pk=contact.pk).update(division_id="E")
    contact.division_id = "E"
    return contact


@pytest.fixture
def teams(divisions):
    return {
        "east": Team.objects.create(name="Resolution Team – East", division_id="E"),
        "north": Team.objects.create(name="Resolution Team – North", division_id="N"),
        "local": Team.objects.create(name="Edinburgh City Centre Community Team", division_id="E"),
    }


@pytest.fixture
def officer(teams):
    return make_staff("resolver", Role.RESOLUTION_OFFICER, last_name="Baird", team=teams["east"])


@pytest.fixture
def local_officer(teams):
    return make_staff("constable", Role.LOCAL_OFFICER, last_name="Fraser", team=teams["local"])


@pytest.fixture
def case(divisions, handler):
    contact = edinburgh_contact()
    return open_case(contact, category="crime.theft", actor=handler)


# Routing ----------------------------------------------------------------------------------------


def test_a_case_goes_to_the_resolution_team_of_its_division(case, teams, handler):
    assert case.division_id == "E"
    route_to_resolution_team(case, actor=handler)

    case.refresh_from_db()
    assert case.team == teams["east"]
    assert case.officer is None and case.status == CaseStatus.OPEN
    last = case.updates.last()
    assert (last.kind, last.visibility) == (UpdateKind.ASSIGNED, Visibility.INTERNAL)
    [event] = events(case, "case.routed_to_resolution_team")
    assert event.data["team"] == teams["east"].pk and event.data["same_division"] is True


def test_routing_again_changes_nothing(case, teams, handler):
    route_to_resolution_team(case, actor=handler)
    route_to_resolution_team(case, actor=handler)
    assert len(events(case, "case.routed_to_resolution_team")) == 1


def test_a_division_without_its_own_team_goes_to_the_least_busy_resolution_team(teams, handler):
    # Two open cases already with East: North is the less busy.
    for _ in range(2):
        busy = open_case(edinburgh_contact(), category="crime.theft", actor=handler)
        route_to_resolution_team(busy, actor=handler)
    assert resolution_team_for("G") == teams["north"]
    assert resolution_team_for(None) == teams["north"]


def test_a_named_route_in_settings_wins(teams, settings):
    settings.CAIRN_RESOLUTION_TEAM_FOR_DIVISION = {"E": "Resolution Team – North"}
    assert resolution_team_for("E") == teams["north"]


def test_with_no_resolution_team_the_case_stays_where_it_is(case, handler):
    route_to_resolution_team(case, actor=handler)
    case.refresh_from_db()
    assert case.team is None
    assert not events(case, "case.routed_to_resolution_team")


def test_a_closed_case_is_not_routed_and_routing_does_not_fail(case, teams, handler):
    close_case(case, outcome="no_crime", public_message="Closed.", actor=handler)
    route_to_resolution_team(case, actor=handler)
    case.refresh_from_db()
    assert case.team is None


def test_routing_needs_the_case_capability(case, teams, analyst):
    with pytest.raises(PermissionDenied):
        route_to_resolution_team(case, actor=analyst)


# Taking -----------------------------------------------------------------------------------------


def test_an_officer_takes_a_new_case_and_another_is_told_who_has_it(case, teams, officer, handler):
    route_to_resolution_team(case, actor=handler)
    take_case(case, actor=officer)
    case.refresh_from_db()
    assert case.officer == officer and case.status == CaseStatus.IN_PROGRESS
    assert case.team == teams["east"]
    [event] = events(case, "case.taken")
    assert event.data["officer"] == officer.pk

    other = make_staff("resolver2", Role.RESOLUTION_OFFICER, team=teams["east"])
    with pytest.raises(AlreadyTaken, match="Resolver Baird"):
        take_case(case, actor=other)
    take_case(case, actor=officer)  # again: nothing changes
    assert len(events(case, "case.taken")) == 1


def test_taking_a_case_without_a_team_gives_it_the_officers_team(case, teams, officer):
    take_case(case, actor=officer)
    case.refresh_from_db()
    assert case.team == teams["east"]


# Calling the person -----------------------------------------------------------------------------


def test_the_outcome_of_a_call_is_an_internal_update_and_an_event_without_words(case, officer):
    update = record_resolution_contact(
        case, method="phone", reached=True, outcome="Agreed to send CCTV stills.", actor=officer
    )
    assert (update.kind, update.visibility) == (UpdateKind.OUTCOME, Visibility.INTERNAL)
    assert update.text == "Phone call: spoke with the person. Agreed to send CCTV stills."
    [event] = events(case, "case.resolution_contact")
    assert event.data["method"] == "phone" and event.data["reached"] is True
    assert "CCTV" not in str(event.data)
    assert AuditEvent.objects.filter(
        object_type="case", object_id=str(case.pk), operation=Operation.ALTERATION
    ).exists()


def test_a_call_outcome_needs_a_method_and_some_words(case, officer):
    with pytest.raises(ValidationError) as error:
        record_resolution_contact(
            case, method="carrier pigeon", reached=True, outcome="x", actor=officer
        )
    assert "method" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        record_resolution_contact(case, method="video", reached=False, outcome=" ", actor=officer)
    assert "outcome" in error.value.message_dict
    assert not events(case, "case.resolution_contact")


def test_a_video_link_is_unguessable_and_shared_only_when_asked(case, officer, settings):
    settings.CAIRN_VIDEO_BASE_URL = "https://meet.example.test/rooms/"
    private = offer_video_call(case, share=False, actor=officer)
    shared = offer_video_call(case, share=True, actor=officer)

    assert private.startswith("https://meet.example.test/rooms/") and private != shared
    assert len(private.rsplit("/", 1)[1]) >= 24
    public = case.updates.filter(visibility=Visibility.PUBLIC, kind=UpdateKind.NOTE)
    assert [shared in update.text for update in public] == [True]
    assert not any(private in update.text for update in public)
    assert [event.data["shared"] for event in events(case, "case.video_link_made")] == [
        False,
        True,
    ]
    # The person is told there is news (the link itself is on the tracking page).
    [message] = OutboundMessage.objects.filter(template="case_updated")
    assert shared not in message.body and shared not in message.subject


# Handing on -------------------------------------------------------------------------------------


def test_handing_on_needs_a_rationale_and_someone_to_hand_to(case, teams, officer):
    with pytest.raises(ValidationError) as error:
        hand_on(case, team=teams["local"], rationale="  ", actor=officer)
    assert "rationale" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        hand_on(case, rationale="Needs a visit.", actor=officer)
    assert "team" in error.value.message_dict
    assert not CaseHandOn.objects.exists()


def test_handing_on_to_a_local_officer_records_where_and_why(case, teams, officer, local_officer):
    take_case(case, actor=officer)
    handed = hand_on(
        case,
        officer=local_officer,
        rationale="CCTV to collect in person from the shop.",
        actor=officer,
    )

    case.refresh_from_db()
    assert (case.team, case.officer) == (teams["local"], local_officer)
    assert handed.left_resolution_teams is True
    last = case.updates.last()
    assert (last.kind, last.visibility) == (UpdateKind.HANDED_ON, Visibility.INTERNAL)
    assert "CCTV to collect in person" in last.text
    [event] = events(case, "case.handed_on")
    assert event.data["from_team"] == teams["east"].pk
    assert event.data["to_team"] == teams["local"].pk
    assert event.data["to_officer"] == local_officer.pk
    assert "CCTV" not in str(event.data)


def test_handing_on_to_a_team_leaves_it_for_them_to_take(case, teams, officer):
    take_case(case, actor=officer)
    handed = hand_on(case, team=teams["north"], rationale="They know the area.", actor=officer)
    case.refresh_from_db()
    assert (case.team, case.officer) == (teams["north"], None)
    assert handed.left_resolution_teams is False


# Closing ----------------------------------------------------------------------------------------


def test_resolved_in_entirety_is_offered_to_a_resolution_team_officer_only(
    case, officer, local_officer, handler
):
    entirety = ClosureOutcome.RESOLVED_BY_RESOLUTION_TEAM.value
    assert entirety in dict(closing_outcomes(case, officer))
    assert entirety not in dict(closing_outcomes(case, local_officer))
    assert entirety not in dict(closing_outcomes(case, handler))
    with pytest.raises(ValidationError):
        close_in_entirety(case, outcome=entirety, public_message="Done.", actor=local_officer)


def test_a_case_handed_to_a_local_team_is_no_longer_resolved_in_entirety(
    case, teams, officer, local_officer
):
    hand_on(case, team=teams["local"], rationale="Needs a visit.", actor=officer)
    hand_on(case, team=teams["east"], rationale="Visit done; back to us.", actor=local_officer)
    assert ClosureOutcome.RESOLVED_BY_RESOLUTION_TEAM.value not in dict(
        closing_outcomes(case, officer)
    )


def resolution_contact(handler):
    """A contact decided to the Resolution Team: its task is open and its case exists."""
    from cairn.triage import services

    contact = edinburgh_contact()
    services.claim_contact(contact, handler)
    services.assess_contact(contact, handler, thrive("low"), "Theft, no one hurt.")
    decided_with(contact, handler, "other_resolution", "resolution_team")
    return contact


def test_closing_in_entirety_completes_the_resolution_task(teams, officer, handler):
    contact = resolution_contact(handler)
    step = NextStep.objects.get(contact=contact)
    assert (step.kind, step.status) == ("resolution_task", NextStepStatus.OPEN)
    case = contact.case_link.case
    route_to_resolution_team(case, actor=handler)
    step.refresh_from_db()
    assert step.status == NextStepStatus.OPEN  # routing completes nothing

    close_in_entirety(
        case,
        outcome=ClosureOutcome.RESOLVED_BY_RESOLUTION_TEAM,
        public_message="We have recorded your report and closed it.",
        actor=officer,
    )

    step.refresh_from_db()
    assert step.status == NextStepStatus.DONE
    case.refresh_from_db()
    assert case.outcome == "resolved_by_resolution_team"
    assert DomainEvent.objects.filter(name="next_step.done", subject_id=str(contact.pk)).exists()
    with pytest.raises(CaseClosed):
        close_case(case, outcome="no_crime", public_message="Again.", actor=officer)
