"""/staff/feedback/: survey results per channel and complaints, for READ_FEEDBACK only."""

import pytest

from cairn.accounts.roles import Role
from cairn.audit.models import AuditEvent, Operation
from cairn.cases.services import close_case, open_case
from cairn.engagement.models import Complaint, ContactRoute
from cairn.engagement.queries import survey_results
from cairn.engagement.services import ComplaintDetails, answer_survey, make_complaint
from tests.cases.conftest import new_contact
from tests.conftest import make_staff

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.engagement.urls")]


def closed_contact(handler, **changes):
    contact = new_contact(**changes)
    case = open_case(contact, category="crime.theft", actor=handler)
    close_case(case, outcome="no_crime", public_message="Done.", actor=handler)
    return contact


def scores(overall: int, officer: int | None = None) -> dict:
    return {
        "ease_of_contact": 4,
        "treatment": 5,
        "understood_needs": 3,
        "appropriate_response": 3,
        "kept_informed": 2,
        "attending_officer": officer,
        "overall": overall,
    }


@pytest.fixture
def answered(handler):
    for overall, officer in ((5, 4), (2, None)):
        contact = closed_contact(handler)
        answer_survey(contact, scores=scores(overall, officer), comment="", language="en")
    phone = closed_contact(handler, channel="phone_101")
    answer_survey(phone, scores=scores(1), comment="", language="en")


@pytest.fixture
def complaint(handler):
    contact = new_contact()
    return make_complaint(
        contact,
        ComplaintDetails(
            what_happened="The officer never turned up.",
            put_right="",
            contact_route=ContactRoute.EMAIL,
            contact_email="morag@example.org",
        ),
        form_token="t-1",
        language="en",
    ).row


def test_the_summary_counts_and_averages_each_measure_per_channel(answered, supervisor):
    results = {row.channel: row for row in survey_results(user=supervisor)}
    assert set(results) == {"web_form", "phone_101"}
    web = {m.measure: m for m in results["web_form"].measures}
    assert results["web_form"].responses == 2
    assert (web["overall"].answers, web["overall"].mean) == (2, 3.5)
    assert (web["attending_officer"].answers, web["attending_officer"].mean) == (1, 4.0)
    phone = {m.measure: m for m in results["phone_101"].measures}
    assert (phone["attending_officer"].answers, phone["attending_officer"].mean) == (0, None)
    assert phone["overall"].mean == 1.0


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ANALYST, Role.ENGAGEMENT_OFFICER])
def test_staff_who_read_feedback_see_the_results_and_the_complaints(
    signed_in, answered, complaint, role
):
    client = signed_in(make_staff(f"reader-{role}", role))
    response = client.get("/staff/feedback/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Online form: 2 responses" in page
    assert "101 call: 1 response" in page
    assert "3.50" in page
    assert complaint.reference in page
    assert "never turned up" not in page  # the list holds references, not words


def test_others_are_refused_and_the_refusal_is_audited(signed_in, advisor, complaint):
    client = signed_in(advisor)
    assert client.get("/staff/feedback/").status_code == 403
    assert client.get(f"/staff/feedback/complaints/{complaint.pk}/").status_code == 403
    assert AuditEvent.objects.filter(
        operation=Operation.ACCESS_DENIED, object_type="complaint"
    ).exists()


def test_reading_a_complaint_is_audited_as_a_consultation(signed_in, supervisor, complaint):
    client = signed_in(supervisor)
    page = client.get(f"/staff/feedback/complaints/{complaint.pk}/").content.decode()
    assert "The officer never turned up." in page
    assert "morag@example.org" in page
    event = AuditEvent.objects.get(operation="consultation", object_type="complaint")
    assert (event.object_id, event.actor_username) == (str(complaint.pk), "supervisor")


def test_an_unknown_complaint_is_not_found(signed_in, supervisor):
    client = signed_in(supervisor)
    missing = (Complaint.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    assert client.get(f"/staff/feedback/complaints/{missing}/").status_code == 404
