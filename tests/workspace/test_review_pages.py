"""The quality review pages: who may open them, what they show and audit, what they refuse."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cairn.accounts.roles import Role
from cairn.audit.models import AuditEvent, Operation
from cairn.triage.models import Cue, QualityReview, ReviewOutcome, ReviewReason
from tests.conftest import make_staff
from tests.support import body
from tests.triage.test_review import (
    FEEDBACK,
    NEWER_TEXT,
    a_completed_review,
    a_contact,
    a_decision,
    a_policy_version,
    a_review,
    a_sampled_decision,
)

pytestmark = pytest.mark.django_db

WAITING = "/staff/review/"
FEEDBACK_PAGE = "/staff/review/feedback/"
QUALITY = "/staff/review/quality/"
POLICY = "/staff/review/policy/"


def review_page(review: QualityReview) -> str:
    return reverse("workspace:review:review", args=[review.pk])


def a_review_form(**change) -> dict[str, str]:
    return {
        "thrive_complete": "meets",
        "grade_appropriate": "partly",
        "rationale_clear": "meets",
        "outcome": "partly",
        "feedback": FEEDBACK,
        **change,
    }


# Who may open them -------------------------------------------------------------------------


@pytest.fixture
def supervisor_pages(advisor):
    review = a_sampled_decision(advisor)
    return [WAITING, review_page(review), QUALITY, POLICY]


def test_an_advisor_is_refused_the_supervisor_pages_and_the_refusal_is_recorded(
    signed_in, advisor, supervisor_pages
):
    client = signed_in(advisor)
    for page in supervisor_pages:
        assert client.get(page).status_code == 403, page
    assert client.post(supervisor_pages[1], a_review_form()).status_code == 403
    denied = AuditEvent.objects.filter(operation=Operation.ACCESS_DENIED, actor_id=advisor.pk)
    assert denied.count() == 5
    assert QualityReview.objects.get().reviewed_at is None


def test_anonymous_visitors_are_sent_to_sign_in(client, supervisor_pages):
    for page in [*supervisor_pages, FEEDBACK_PAGE]:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("accounts:login"))


def test_my_feedback_needs_the_triage_capability(signed_in, analyst, advisor, supervisor):
    assert signed_in(analyst).get(FEEDBACK_PAGE).status_code == 403
    assert signed_in(advisor).get(FEEDBACK_PAGE).status_code == 200
    assert signed_in(supervisor).get(FEEDBACK_PAGE).status_code == 200


def test_the_home_page_links_to_the_pages_a_user_may_open(signed_in, advisor, supervisor):
    advisor_home = body(signed_in(advisor).get("/staff/"))
    assert FEEDBACK_PAGE in advisor_home
    assert f'href="{WAITING}"' not in advisor_home
    supervisor_home = body(signed_in(supervisor).get("/staff/"))
    for page in (WAITING, FEEDBACK_PAGE, QUALITY, POLICY):
        assert f'href="{page}"' in supervisor_home


# The reviews waiting -----------------------------------------------------------------------


def test_the_waiting_list_shows_sampled_decisions_oldest_first(signed_in, advisor, supervisor):
    now = timezone.now()
    newer = a_review(a_decision(advisor), selected_at=now - timedelta(hours=1))
    older = a_review(
        a_decision(advisor, kind="regrade", rationale="Now safe."),
        reason=ReviewReason.REGRADE,
        selected_at=now - timedelta(days=1),
    )
    page = body(signed_in(supervisor).get(WAITING))
    first = page.index(older.decision.contact.reference)
    second = page.index(newer.decision.contact.reference)
    assert first < second
    assert "Every regrade" in page and "Random sample" in page
    assert review_page(older) in page


def test_the_waiting_list_costs_the_same_queries_for_one_review_or_many(
    signed_in, advisor, supervisor
):
    client = signed_in(supervisor)
    a_sampled_decision(advisor)
    with CaptureQueriesContext(connection) as one:
        client.get(WAITING)
    for _ in range(5):
        a_sampled_decision(advisor)
    with CaptureQueriesContext(connection) as six:
        response = client.get(WAITING)
    assert body(response).count("Review CRN-") == 6
    assert len(six.captured_queries) == len(one.captured_queries)


def test_the_waiting_list_says_when_nothing_waits(signed_in, supervisor):
    assert "No decisions are waiting for your review." in body(signed_in(supervisor).get(WAITING))


# The review page ---------------------------------------------------------------------------


def test_the_review_page_shows_the_contact_assessment_cues_and_decision(
    signed_in, advisor, supervisor
):
    review = a_review(
        a_decision(
            advisor,
            grade="standard",
            pathway="local_policing_appointment",
            follows_suggestion=False,
            rationale="He left before the call ended.",
        )
    )
    contact = review.decision.contact
    Cue.objects.create(
        contact=contact,
        kind="weapon",
        source="narrative",
        evidence="knife",
        raised_at=timezone.now(),
    )
    page = body(signed_in(supervisor).get(review_page(review)))
    assert "A man outside my flat has a knife and is shouting." in page
    assert "Threat note for the test" in page
    assert "A weapon is mentioned: threat high." in page
    assert "knife" in page
    assert "He left before the call ended." in page
    assert "Risk high because the caller reports a weapon." in page
    assert "Is the THRIVE assessment complete?" in page
    assert page.count('type="radio"') == 12  # four questions, three answers each


def test_opening_the_review_page_is_an_audited_consultation(signed_in, advisor, supervisor):
    review = a_sampled_decision(advisor)
    signed_in(supervisor).get(review_page(review))
    consultation = AuditEvent.objects.get(operation=Operation.CONSULTATION, object_type="contact")
    assert (consultation.object_id, consultation.actor_id) == (
        str(review.decision.contact_id),
        supervisor.pk,
    )
    assert consultation.context == {"quality_review": review.pk}


def test_an_unknown_review_is_404(signed_in, supervisor):
    assert signed_in(supervisor).get("/staff/review/999999/").status_code == 404


def test_a_complete_review_is_recorded_and_leaves_the_list(signed_in, advisor, supervisor):
    review = a_sampled_decision(advisor)
    client = signed_in(supervisor)
    response = client.post(review_page(review), a_review_form())
    assert response.status_code == 302
    assert response["Location"] == WAITING
    review.refresh_from_db()
    assert (review.outcome, review.reviewer) == (ReviewOutcome.PARTLY, supervisor)
    following = body(client.get(WAITING))
    assert "recorded" in following
    assert review_page(review) not in following


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("thrive_complete", "Say whether the THRIVE assessment is complete"),
        ("grade_appropriate", "Say whether the grade and pathway were appropriate"),
        ("rationale_clear", "Say whether the rationale is clear"),
        ("outcome", "Choose the overall outcome"),
        ("feedback", "Write feedback for the handler"),
    ],
)
def test_a_missing_answer_shows_the_error_and_keeps_the_input(
    signed_in, advisor, supervisor, missing, message
):
    review = a_sampled_decision(advisor)
    form = a_review_form()
    del form[missing]
    response = signed_in(supervisor).post(review_page(review), form)
    assert response.status_code == 200
    page = body(response)
    assert "There is a problem" in page
    assert message in page
    assert f'id="id_{missing}-error"' in page
    if missing != "feedback":
        assert FEEDBACK in page  # what was typed is still there
    if missing != "thrive_complete":
        assert 'name="thrive_complete" id="id_thrive_complete_0" value="meets" checked' in page
    assert QualityReview.objects.get().reviewed_at is None


def test_feedback_of_spaces_only_is_refused_by_the_service_with_the_field_named(
    signed_in, advisor, supervisor
):
    review = a_sampled_decision(advisor)
    page = body(signed_in(supervisor).post(review_page(review), a_review_form(feedback="   ")))
    assert 'id="id_feedback-error"' in page
    assert QualityReview.objects.get().reviewed_at is None


def test_a_supervisor_cannot_review_their_own_decision_on_the_page(signed_in, supervisor):
    review = a_sampled_decision(supervisor)
    client = signed_in(supervisor)
    assert "another supervisor must review it" in body(client.get(review_page(review)))
    assert 'id="review-form"' not in body(client.get(review_page(review)))
    response = client.post(review_page(review), a_review_form(outcome=""))
    assert response.status_code == 409
    assert "another supervisor must review it" in body(response)
    assert "There is a problem" not in body(response)
    assert QualityReview.objects.get().reviewed_at is None


def test_a_reviewed_decision_shows_the_review_and_refuses_another(signed_in, advisor, supervisor):
    other = make_staff("supervisor2", Role.SUPERVISOR)
    review = a_completed_review(advisor, other, outcome=ReviewOutcome.DOES_NOT_MEET)
    client = signed_in(supervisor)
    page = body(client.get(review_page(review)))
    assert "Reviewed by Supervisor2" in page
    assert "Does not meet the standard" in page
    assert client.post(review_page(review), a_review_form()).status_code == 409
    review.refresh_from_db()
    assert (review.reviewer, review.outcome) == (other, ReviewOutcome.DOES_NOT_MEET)


# My feedback -------------------------------------------------------------------------------


def test_the_handler_reads_their_feedback_and_it_is_marked_read(signed_in, advisor, supervisor):
    review = a_completed_review(advisor, supervisor, outcome=ReviewOutcome.PARTLY)
    client = signed_in(advisor)
    first = body(client.get(FEEDBACK_PAGE))
    assert FEEDBACK in first
    assert review.decision.contact.reference in first
    assert "Partly meets the standard" in first
    assert ">New<" in first
    assert QualityReview.objects.get().feedback_read_at is not None
    assert ">New<" not in body(client.get(FEEDBACK_PAGE))


def test_a_handler_sees_only_their_own_feedback(signed_in, advisor, supervisor):
    other = make_staff("controlroom", Role.CONTROL_ROOM_OPERATOR)
    a_completed_review(other, supervisor, feedback="Feedback for someone else")
    page = body(signed_in(advisor).get(FEEDBACK_PAGE))
    assert "Feedback for someone else" not in page
    assert "None of your decisions has been reviewed yet." in page
    assert QualityReview.objects.get().feedback_read_at is None


# The quality measure -----------------------------------------------------------------------


def test_the_quality_page_shows_counts_and_rates_for_the_period(signed_in, advisor, supervisor):
    now = timezone.now()
    a_completed_review(advisor, supervisor, outcome=ReviewOutcome.MEETS, reviewed_at=now)
    a_completed_review(advisor, supervisor, outcome=ReviewOutcome.MEETS, reviewed_at=now)
    a_completed_review(
        advisor,
        supervisor,
        outcome=ReviewOutcome.DOES_NOT_MEET,
        reason=ReviewReason.REGRADE,
        reviewed_at=now,
    )
    a_completed_review(advisor, supervisor, reviewed_at=now - timedelta(days=60))
    page = body(signed_in(supervisor).get(QUALITY))
    assert "<td>3</td>" in page  # reviews in the default period: the last four weeks
    assert "<td>66.7%</td>" in page  # meets, all reviews
    assert "<td>100.0%</td>" in page  # meets for random, does not meet for regrade
    assert "<caption>" in page


def test_the_quality_page_refuses_a_period_that_ends_before_it_starts(signed_in, supervisor):
    response = signed_in(supervisor).get(QUALITY, {"since": "2026-03-10", "until": "2026-03-01"})
    page = body(response)
    assert "There is a problem" in page
    assert "The end date must be the same as or after the start date" in page
    assert 'value="2026-03-10"' in page
    assert 'id="by-reason"' not in page


def test_the_quality_page_for_one_division(signed_in, advisor, supervisor, divisions):
    now = timezone.now()
    a_completed_review(advisor, supervisor, reviewed_at=now, contact=a_contact(division_id="E"))
    a_completed_review(advisor, supervisor, reviewed_at=now, contact=a_contact(division_id="N"))
    today = timezone.localdate().isoformat()
    page = body(
        signed_in(supervisor).get(QUALITY, {"since": today, "until": today, "division": "E"})
    )
    assert "Edinburgh" in page
    assert "<td>1</td>" in page
    assert "<td>2</td>" not in page


# Policy versions ---------------------------------------------------------------------------


def test_the_policy_page_lists_versions_with_their_decisions(signed_in, advisor, supervisor):
    version = a_policy_version()
    a_decision(advisor, policy_version=version)
    a_decision(advisor, policy_version=version)
    page = body(signed_in(supervisor).get(POLICY))
    assert version.digest[:12] in page
    assert "Test CAM" in page
    assert "<td>2</td>" in page


def test_the_diff_page_shows_added_and_removed_lines_in_text(signed_in, supervisor):
    older, newer = a_policy_version(), a_policy_version(NEWER_TEXT, name="Test CAM 2")
    page = body(signed_in(supervisor).get(POLICY, {"a": older.pk, "b": newer.pk}))
    assert "<pre" in page and "<figcaption>" in page
    assert (
        '<del><span class="visually-hidden">Removed: </span>-    review_after_minutes: 45</del>'
        in page
    )
    assert (
        '<ins><span class="visually-hidden">Added: </span>+    review_after_minutes: 30</ins>'
        in page
    )
    assert "1 line added, 1 line removed" in page
    assert f'href="?a={older.pk}&amp;b={newer.pk}"' in page  # the "what changed" link


def test_the_diff_of_a_version_with_itself_says_so(signed_in, supervisor):
    version = a_policy_version()
    page = body(signed_in(supervisor).get(POLICY, {"a": version.pk, "b": version.pk}))
    assert "The two versions have the same text." in page


def test_the_diff_page_refuses_an_unknown_version(signed_in, supervisor):
    version = a_policy_version()
    page = body(signed_in(supervisor).get(POLICY, {"a": version.pk, "b": "999999"}))
    assert "There is a problem" in page
    assert "Choose a version from the list" in page
    assert "<pre" not in page
