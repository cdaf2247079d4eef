"""The case worklist and the case page over HTTP: who may see them, what is audited,
what each action does, and forms that keep what was typed."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from cairn.accounts.models import Team
from cairn.accounts.roles import Role
from cairn.audit.models import AuditEvent, Operation, Outcome
from cairn.cases.models import Case, CaseStatus, UpdateKind, Visibility
from cairn.cases.services import open_case, record_message_from_person
from cairn.notify.models import OutboundMessage
from cairn.people.services import create_person_for_contact
from cairn.resolution.services import route_to_resolution_team, take_case
from tests.cases.test_resolution import edinburgh_contact
from tests.conftest import make_staff
from tests.support import body

pytestmark = pytest.mark.django_db

WORKLIST = "/staff/cases/"


def page(case: Case, action: str = "") -> str:
    return f"{WORKLIST}{case.reference}/{action + '/' if action else ''}"


@pytest.fixture
def east(divisions):
    return Team.objects.create(name="Resolution Team – East", division_id="E")


@pytest.fixture
def local(divisions):
    return Team.objects.create(name="Leith Community Team", division_id="E")


@pytest.fixture
def officer(east):
    return make_staff("resolver", Role.RESOLUTION_OFFICER, last_name="Baird", team=east)


@pytest.fixture
def constable(local):
    return make_staff("constable", Role.LOCAL_OFFICER, last_name="Fraser", team=local)


@pytest.fixture
def client(officer, signed_in):
    return signed_in(officer)


def routed_case(advisor) -> Case:
    case = open_case(edinburgh_contact(), category="crime.theft", actor=advisor)
    return route_to_resolution_team(case, actor=advisor)


@pytest.fixture
def case(east, advisor):
    return routed_case(advisor)


def consultations(object_type: str) -> int:
    return AuditEvent.objects.filter(
        operation=Operation.CONSULTATION, object_type=object_type
    ).count()


# Who may see them -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PARTNER_USER, Role.ANALYST])
def test_staff_who_do_not_work_cases_are_refused_and_the_refusal_is_audited(role, case, signed_in):
    client = signed_in(make_staff("outsider", role))
    updates = case.updates.count()
    for url in (WORKLIST, page(case)):
        assert client.get(url).status_code == 403
    response = client.post(page(case, "updates"), {"update-text": "x", "update-shared": "no"})
    assert response.status_code == 403
    assert case.updates.count() == updates
    assert (
        AuditEvent.objects.filter(
            operation=Operation.ACCESS_DENIED, object_type="case", outcome=Outcome.DENIED
        ).count()
        == 3
    )


def test_an_unknown_case_is_not_found(client, east):
    assert client.get(f"{WORKLIST}CAS-000000-00000/").status_code == 404


# The worklist -----------------------------------------------------------------------------------


def test_the_officer_takes_a_new_case_from_the_worklist(client, case, officer):
    response = client.get(WORKLIST)
    assert response.status_code == 200
    assert case.reference in body(response)
    assert f'Take<span class="visually-hidden"> {case.reference}' in body(response)

    response = client.post(page(case, "take"))

    assert response.status_code == 302 and response.url == page(case)
    case.refresh_from_db()
    assert case.officer == officer and case.status == CaseStatus.IN_PROGRESS
    assert "You have taken" in body(client.get(page(case)))


def test_taking_a_case_someone_has_names_them(client, case, officer, east, signed_in):
    other = make_staff("resolver2", Role.RESOLUTION_OFFICER, team=east)
    take_case(case, actor=other)
    response = client.post(page(case, "take"), follow=True)
    assert "already being worked by Resolver2" in body(response)
    case.refresh_from_db()
    assert case.officer == other


def test_the_worklist_page_costs_the_same_queries_for_two_cases_or_eight(
    client, east, advisor, officer
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(WORKLIST).status_code == 200
        return len(queries)

    for _ in range(2):
        take_case(routed_case(advisor), actor=officer)
    two = count()
    for _ in range(6):
        routed_case(advisor)
    eight = count()
    assert eight == two
    assert body(client.get(WORKLIST)).count('data-case="') == 8


def test_a_supervisor_filters_the_worklist(east, advisor, signed_in, divisions):
    supervisor = make_staff("sergeant", Role.SUPERVISOR)
    case = routed_case(advisor)
    client = signed_in(supervisor)
    assert case.reference in body(client.get(WORKLIST))
    response = client.get(WORKLIST, {"division": "G"})
    assert case.reference not in body(response)
    assert "No open cases here." in body(response)
    assert case.reference in body(client.get(WORKLIST, {"needs": "new", "team": east.pk}))


# The case page ----------------------------------------------------------------------------------


def test_the_case_page_shows_the_case_and_every_read_is_audited(client, case, advisor):
    contact = case.case_contacts.get().contact
    person = create_person_for_contact(contact, actor=advisor).person
    before = {kind: consultations(kind) for kind in ("case", "contact", "person")}

    for _ in range(2):
        response = client.get(page(case))
        assert response.status_code == 200

    text = body(response)
    for shown in (
        contact.reference,
        "Someone took my bike",
        "Morag MacLeod",
        "Resolution Team – East",
        "We have opened a case for your report.",
        str(person),
    ):
        assert shown in text
    after = {kind: consultations(kind) for kind in ("case", "contact", "person")}
    assert {kind: after[kind] - before[kind] for kind in after} == {
        "case": 2,
        "contact": 2,
        "person": 2,
    }


def test_an_internal_update_is_not_sent_and_a_shared_one_tells_the_person(client, case):
    client.post(page(case, "updates"), {"update-text": "Checked CCTV.", "update-shared": "no"})
    assert not OutboundMessage.objects.filter(template="case_updated").exists()

    response = client.post(
        page(case, "updates"), {"update-text": "We have your bike.", "update-shared": "yes"}
    )

    assert response.status_code == 302
    shared = case.updates.get(text="We have your bike.")
    assert shared.visibility == Visibility.PUBLIC
    assert OutboundMessage.objects.filter(template="case_updated").count() == 1


def test_an_empty_update_is_refused_and_the_choice_kept(client, case):
    response = client.post(page(case, "updates"), {"update-text": " ", "update-shared": "yes"})
    assert response.status_code == 200
    text = body(response)
    assert "There is a problem" in text
    assert "Write the update in a few plain words." in text
    assert re.search(r'<input type="radio" name="update-shared" value="yes"[^>]* checked>', text)


def test_recording_a_call_keeps_what_was_typed_until_it_is_complete(client, case):
    response = client.post(page(case, "calls"), {"call-method": "phone", "call-outcome": "Spoke."})
    assert response.status_code == 200
    assert "Say whether you spoke with the person" in body(response)
    assert "Spoke.</textarea>" in body(response)

    response = client.post(
        page(case, "calls"),
        {"call-method": "phone", "call-reached": "yes", "call-outcome": "Bike found."},
    )
    assert response.status_code == 302
    update = case.updates.get(kind=UpdateKind.OUTCOME)
    assert update.text == "Phone call: spoke with the person. Bike found."


def test_a_video_link_is_shown_to_the_officer(client, case, settings):
    settings.CAIRN_VIDEO_BASE_URL = "https://meet.example.test/"
    response = client.post(page(case, "video-link"), {"share": "no"}, follow=True)
    assert "Video meeting link made (not shared): https://meet.example.test/" in body(response)
    assert not case.updates.filter(visibility=Visibility.PUBLIC, kind=UpdateKind.NOTE).exists()


def test_recording_a_crime(client, case, officer):
    response = client.post(page(case, "crime"), {"crime-classification": ""})
    assert "Give the crime classification." in body(response)
    client.post(page(case, "crime"), {"crime-classification": "Theft of pedal cycle"})
    case.refresh_from_db()
    assert case.crime_classification == "Theft of pedal cycle"
    assert case.crime_recorded_by == officer
    assert 'id="id_crime-classification"' not in body(client.get(page(case)))


def test_handing_on_needs_a_rationale_and_keeps_the_choice(client, case, constable):
    data = {"hand_on-officer": constable.pk, "hand_on-rationale": ""}
    response = client.post(page(case, "hand-on"), data)
    text = body(response)
    assert "Say why you are handing the case on." in text
    assert f'<option value="{constable.pk}" selected>' in text

    data["hand_on-rationale"] = "Needs a visit to collect CCTV."
    assert client.post(page(case, "hand-on"), data).status_code == 302
    case.refresh_from_db()
    assert case.officer == constable and case.team == constable.team


def test_the_resolution_team_closes_in_entirety_and_a_local_officer_cannot(
    client, case, constable, signed_in
):
    assert 'value="resolved_by_resolution_team"' in body(client.get(page(case)))
    local_client = signed_in(constable)
    assert 'value="resolved_by_resolution_team"' not in body(local_client.get(page(case)))
    refused = local_client.post(
        page(case, "close"),
        {"close-outcome": "resolved_by_resolution_team", "close-public_message": "Done."},
    )
    assert "Choose how the case ended from the list" in body(refused)

    response = client.post(
        page(case, "close"),
        {"close-outcome": "resolved_by_resolution_team", "close-public_message": "All done."},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.outcome == "resolved_by_resolution_team"
    closed_page = body(client.get(page(case)))
    assert "Resolved in entirety by the Resolution Team" in closed_page
    assert 'action="/staff/cases/' + case.reference + '/close/"' not in closed_page


def test_the_persons_message_is_flagged_and_acknowledged(client, case):
    record_message_from_person(case.case_contacts.get().contact, text="I have a photo.")
    assert "The person has written to us" in body(client.get(page(case)))
    client.post(page(case, "acknowledge"))
    case.refresh_from_db()
    assert case.awaiting_reply_since is None


def test_links_to_booking_and_referral_only_when_those_pages_exist(client, case):
    text = body(client.get(page(case)))
    contact = case.case_contacts.get().contact
    for name, argument, label in (
        ("workspace:appointments_book", contact.reference, "Book an appointment"),
        ("workspace:partners_refer", case.reference, "Refer to a partner"),
    ):
        try:
            url = reverse(name, args=[argument])
        except NoReverseMatch:
            assert label not in text
        else:
            assert f'href="{url}"' in text
