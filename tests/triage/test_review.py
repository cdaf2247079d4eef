"""Supervisor quality review: sampling, recording a review once, feedback, the quality measure.

The factories here make contacts, assessments, decisions, reviews and policy
versions directly with the ORM (test data only); the page and browser tests
use them too.
"""

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cairn.accounts.roles import Role
from cairn.audit.models import AuditEvent, Operation
from cairn.contacts.models import Channel, Contact
from cairn.events.models import DomainEvent
from cairn.triage.models import (
    THRIVE_DIMENSIONS,
    Assessment,
    Cue,
    Decision,
    DecisionKind,
    PolicyVersion,
    QualityReview,
    ReviewOutcome,
    ReviewReason,
)
from cairn.triage.review_queries import (
    feedback_for,
    policy_version_diff,
    policy_versions,
    quality_measure,
    review_detail,
    reviews_waiting,
)
from cairn.triage.review_services import (
    RANDOM_SAMPLE_RATE,
    consider_for_review,
    mark_feedback_read,
    record_review,
)
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db

POLICY_TEXT = "# --- cam.yaml\nname: Test CAM\ngrades:\n  prompt:\n    review_after_minutes: 45\n"
FEEDBACK = "Good notes on threat. Say why the weapon made the risk high."


# Factories ---------------------------------------------------------------------------------


def a_policy_version(text: str = POLICY_TEXT, name: str = "Test CAM") -> PolicyVersion:
    digest = hashlib.sha256(text.encode()).hexdigest()
    version, _created = PolicyVersion.objects.get_or_create(
        digest=digest, defaults={"name": name, "text": text}
    )
    return version


def a_contact(**extra) -> Contact:
    values = {
        "channel": Channel.WEB_FORM,
        "received_at": timezone.now() - timedelta(hours=1),
        "category": "crime",
        "narrative": "A man outside my flat has a knife and is shouting.",
        "address_text": "12 Leith Walk, Edinburgh",
        "postcode": "EH6 8RY",
        **extra,
    }
    return Contact.objects.create(**values)


def an_assessment(contact: Contact, assessor, *, version: int = 1) -> Assessment:
    levels = dict.fromkeys(THRIVE_DIMENSIONS, "medium") | {"threat": "high"}
    notes = {f"{name}_note": f"{name.title()} note for the test" for name in THRIVE_DIMENSIONS}
    return Assessment.objects.create(
        contact=contact,
        version=version,
        assessed_by=assessor,
        assessed_at=timezone.now(),
        rationale="A weapon is mentioned: threat high.",
        **levels,
        **notes,
    )


def a_decision(
    handler,
    *,
    contact: Contact | None = None,
    assessor=None,
    kind: str = DecisionKind.INITIAL,
    grade: str = "prompt",
    pathway: str = "deploy_asap",
    follows_suggestion: bool = True,
    rationale: str = "",
    supersedes: Decision | None = None,
    policy_version: PolicyVersion | None = None,
    decided_at: datetime | None = None,
) -> Decision:
    contact = contact or a_contact()
    assessment = contact.assessments.order_by("-version").first() or an_assessment(
        contact, assessor or handler
    )
    return Decision.objects.create(
        contact=contact,
        assessment=assessment,
        kind=kind,
        supersedes=supersedes,
        grade=grade,
        pathway=pathway,
        suggested_grade="prompt",
        suggested_pathway="deploy_asap",
        suggestion_rule="weapon",
        explanation="Risk high because the caller reports a weapon.",
        follows_suggestion=follows_suggestion,
        rationale=rationale,
        policy_version=policy_version or a_policy_version(),
        decided_by=handler,
        decided_at=decided_at or timezone.now(),
    )


def a_review(
    decision: Decision, *, reason: str = ReviewReason.RANDOM, selected_at: datetime | None = None
) -> QualityReview:
    return QualityReview.objects.create(
        decision=decision, reason=reason, selected_at=selected_at or timezone.now()
    )


def a_sampled_decision(handler, **decision) -> QualityReview:
    return a_review(a_decision(handler, **decision))


def a_completed_review(
    handler,
    reviewer,
    *,
    outcome: str = ReviewOutcome.MEETS,
    reason: str = ReviewReason.RANDOM,
    reviewed_at: datetime | None = None,
    feedback: str = FEEDBACK,
    **decision,
) -> QualityReview:
    reviewed_at = reviewed_at or timezone.now()
    return QualityReview.objects.create(
        decision=a_decision(handler, **decision),
        reason=reason,
        selected_at=reviewed_at - timedelta(hours=2),
        reviewer=reviewer,
        reviewed_at=reviewed_at,
        thrive_complete=outcome,
        grade_appropriate=outcome,
        rationale_clear=outcome,
        outcome=outcome,
        feedback=feedback,
    )


def answers(**change) -> dict[str, str]:
    return {
        "thrive_complete": ReviewOutcome.MEETS,
        "grade_appropriate": ReviewOutcome.PARTLY,
        "rationale_clear": ReviewOutcome.DOES_NOT_MEET,
        "outcome": ReviewOutcome.PARTLY,
        "feedback": FEEDBACK,
        **change,
    }


@pytest.fixture
def second_supervisor(db):
    return make_staff("supervisor2", Role.SUPERVISOR)


# Sampling ----------------------------------------------------------------------------------


@pytest.mark.parametrize("draw", [0.0, 0.5, 0.999])
def test_every_regrade_is_selected_whatever_the_draw(advisor, draw):
    first = a_decision(advisor)
    regrade = a_decision(
        advisor,
        contact=first.contact,
        kind=DecisionKind.REGRADE,
        supersedes=first,
        grade="standard",
        pathway="local_policing_appointment",
        rationale="The man has left; no one is in danger now.",
    )
    review = consider_for_review(regrade, draw=draw)
    assert review is not None
    assert (review.decision, review.reason) == (regrade, ReviewReason.REGRADE)


@pytest.mark.parametrize("kind", [DecisionKind.INITIAL, DecisionKind.TRANSFER])
def test_a_draw_below_the_rate_selects_a_decision_at_random(advisor, kind):
    decision = a_decision(
        advisor, kind=kind, rationale="" if kind == DecisionKind.INITIAL else "Wrong force area."
    )
    review = consider_for_review(decision, draw=RANDOM_SAMPLE_RATE - 0.001)
    assert review.reason == ReviewReason.RANDOM
    assert QualityReview.objects.get(decision=decision) == review


@pytest.mark.parametrize("draw", [RANDOM_SAMPLE_RATE, 0.5, 0.999])
def test_a_draw_at_or_above_the_rate_leaves_a_first_decision_unsampled(advisor, draw):
    decision = a_decision(advisor)
    assert consider_for_review(decision, draw=draw) is None
    assert not QualityReview.objects.exists()


def test_without_a_draw_about_one_decision_in_ten_is_sampled(advisor):
    contact = a_contact()
    an_assessment(contact, advisor)
    sampled = sum(
        consider_for_review(a_decision(advisor, contact=contact)) is not None for _ in range(400)
    )
    assert 15 <= sampled <= 70  # 40 expected; this range fails about once in 10^9 runs


# Recording a review ------------------------------------------------------------------------


def test_a_review_is_recorded_with_every_answer(advisor, supervisor):
    review = a_sampled_decision(advisor)
    recorded = record_review(review, supervisor, **answers(feedback="  Well done.\r\nMore. "))
    review.refresh_from_db()
    assert review.reviewer == supervisor
    assert review.reviewed_at is not None
    assert (
        review.thrive_complete,
        review.grade_appropriate,
        review.rationale_clear,
        review.outcome,
    ) == ("meets", "partly", "does_not_meet", "partly")
    assert review.feedback == "Well done.\nMore."
    assert recorded.pk == review.pk


def test_every_field_is_required_and_each_missing_one_is_named(advisor, supervisor):
    review = a_sampled_decision(advisor)
    blank = dict.fromkeys(answers(), "")
    with pytest.raises(ValidationError) as refused:
        record_review(review, supervisor, **blank)
    assert set(refused.value.message_dict) == {
        "thrive_complete",
        "grade_appropriate",
        "rationale_clear",
        "outcome",
        "feedback",
    }
    review.refresh_from_db()
    assert review.reviewed_at is None


@pytest.mark.parametrize(
    "missing", ["thrive_complete", "grade_appropriate", "rationale_clear", "outcome", "feedback"]
)
def test_one_missing_field_is_refused_and_nothing_is_written(advisor, supervisor, missing):
    review = a_sampled_decision(advisor)
    with pytest.raises(ValidationError) as refused:
        record_review(review, supervisor, **answers(**{missing: ""}))
    assert list(refused.value.message_dict) == [missing]
    review.refresh_from_db()
    assert review.reviewed_at is None
    assert not DomainEvent.objects.filter(name="triage.reviewed").exists()
    assert not AuditEvent.objects.filter(object_type="quality_review").exists()


def test_feedback_of_spaces_only_is_missing(advisor, supervisor):
    with pytest.raises(ValidationError) as refused:
        record_review(a_sampled_decision(advisor), supervisor, **answers(feedback=" \n "))
    assert list(refused.value.message_dict) == ["feedback"]


def test_an_answer_outside_the_scale_is_refused(advisor, supervisor):
    with pytest.raises(ValidationError) as refused:
        record_review(a_sampled_decision(advisor), supervisor, **answers(outcome="excellent"))
    assert list(refused.value.message_dict) == ["outcome"]


@pytest.mark.parametrize("persona", ["advisor", "analyst"])
def test_only_a_user_who_may_review_can_record_one(request, supervisor, persona):
    user = request.getfixturevalue(persona)
    handler = make_staff("handler", Role.CONTROL_ROOM_OPERATOR)
    review = a_sampled_decision(handler)
    with pytest.raises(PermissionDenied):
        record_review(review, user, **answers())
    review.refresh_from_db()
    assert review.reviewed_at is None


def test_a_supervisor_cannot_review_their_own_decision(supervisor):
    review = a_sampled_decision(supervisor)
    with pytest.raises(ValidationError) as refused:
        record_review(review, supervisor, **answers())
    assert refused.value.code == "own_decision"
    review.refresh_from_db()
    assert review.reviewed_at is None


def test_a_supervisor_cannot_review_a_decision_on_their_own_assessment(advisor, supervisor):
    review = a_sampled_decision(advisor, assessor=supervisor)
    with pytest.raises(ValidationError) as refused:
        record_review(review, supervisor, **answers())
    assert refused.value.code == "own_decision"


def test_a_review_is_recorded_once(advisor, supervisor, second_supervisor):
    review = a_sampled_decision(advisor)
    record_review(review, supervisor, **answers(outcome=ReviewOutcome.MEETS))
    with pytest.raises(ValidationError) as refused:
        record_review(review, second_supervisor, **answers(outcome=ReviewOutcome.DOES_NOT_MEET))
    assert refused.value.code == "already_reviewed"
    review.refresh_from_db()
    assert (review.reviewer, review.outcome) == (supervisor, ReviewOutcome.MEETS)
    assert DomainEvent.objects.filter(name="triage.reviewed").count() == 1


def test_a_stale_copy_of_the_review_cannot_record_it_twice(advisor, supervisor):
    review = a_sampled_decision(advisor)
    stale = QualityReview.objects.get(pk=review.pk)
    record_review(review, supervisor, **answers())
    with pytest.raises(ValidationError):
        record_review(stale, supervisor, **answers(feedback="A second opinion"))
    assert QualityReview.objects.get(pk=review.pk).feedback == FEEDBACK


def test_a_review_writes_an_event_with_the_outcome_and_no_feedback_text(
    advisor, supervisor, divisions
):
    review = a_review(a_decision(advisor, contact=a_contact(division_id="E")))
    record_review(review, supervisor, **answers())
    event = DomainEvent.objects.get(name="triage.reviewed")
    assert (event.subject_type, event.subject_id) == ("decision", str(review.decision_id))
    assert (event.division, event.channel) == ("E", Channel.WEB_FORM)
    assert event.data["outcome"] == "partly"
    assert event.data["reason"] == "random"
    assert event.data["thrive_complete"] == "meets"
    assert FEEDBACK not in json.dumps(event.data)
    assert "weapon" not in json.dumps(event.data)


def test_a_review_writes_an_audit_row_naming_the_fields_not_their_values(advisor, supervisor):
    review = a_sampled_decision(advisor)
    record_review(review, supervisor, **answers())
    row = AuditEvent.objects.get(object_type="quality_review", operation=Operation.ALTERATION)
    assert (row.object_id, row.actor_id) == (str(review.pk), supervisor.pk)
    assert "feedback" in row.fields and "outcome" in row.fields
    assert FEEDBACK not in json.dumps(row.context)


# Feedback ----------------------------------------------------------------------------------


def test_the_handler_marks_feedback_read_once(advisor, supervisor):
    review = a_completed_review(advisor, supervisor)
    assert mark_feedback_read(review, advisor) is True
    first_read = QualityReview.objects.get(pk=review.pk).feedback_read_at
    assert first_read is not None
    assert mark_feedback_read(review, advisor) is False
    assert QualityReview.objects.get(pk=review.pk).feedback_read_at == first_read
    assert AuditEvent.objects.filter(fields=["feedback_read_at"], actor_id=advisor.pk).count() == 1


def test_only_the_handler_marks_their_feedback_read(advisor, supervisor):
    review = a_completed_review(advisor, supervisor)
    with pytest.raises(PermissionDenied):
        mark_feedback_read(review, supervisor)
    assert QualityReview.objects.get(pk=review.pk).feedback_read_at is None


def test_feedback_not_yet_written_cannot_be_read(advisor):
    with pytest.raises(ValidationError):
        mark_feedback_read(a_sampled_decision(advisor), advisor)


def test_feedback_for_lists_the_handlers_reviewed_decisions_newest_first(advisor, supervisor):
    now = timezone.now()
    older = a_completed_review(advisor, supervisor, reviewed_at=now - timedelta(days=2))
    newer = a_completed_review(advisor, supervisor, reviewed_at=now - timedelta(hours=1))
    a_sampled_decision(advisor)  # not reviewed yet
    a_completed_review(make_staff("other", Role.SERVICE_ADVISOR), supervisor)
    assert feedback_for(advisor) == [newer, older]
    audit = AuditEvent.objects.get(object_type="quality_review_feedback")
    assert (audit.actor_id, audit.context["results"]) == (advisor.pk, 2)


# What waits --------------------------------------------------------------------------------


def test_reviews_waiting_are_oldest_first_without_reviewed_or_own_ones(
    advisor, supervisor, second_supervisor
):
    now = timezone.now()
    newest = a_review(a_decision(advisor), selected_at=now - timedelta(minutes=5))
    oldest = a_review(a_decision(advisor), selected_at=now - timedelta(days=3))
    a_review(a_decision(supervisor), selected_at=now - timedelta(days=4))  # their own
    a_review(a_decision(advisor, assessor=supervisor), selected_at=now - timedelta(days=4))
    a_completed_review(advisor, second_supervisor)
    assert reviews_waiting(supervisor) == [oldest, newest]


def test_reviews_waiting_come_with_decision_assessment_and_handler_in_one_query(
    advisor, supervisor
):
    for _ in range(4):
        a_sampled_decision(advisor)
    with CaptureQueriesContext(connection) as queries:
        reviews = reviews_waiting(supervisor)
        seen = [
            (
                r.decision.grade,
                r.decision.assessment.threat,
                r.decision.contact.reference,
                str(r.decision.decided_by),
            )
            for r in reviews
        ]
    selects = [
        q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert len(seen) == 4
    assert len(selects) == 1


def test_a_handler_without_the_review_capability_sees_no_reviews(advisor, supervisor):
    a_sampled_decision(supervisor)
    assert reviews_waiting(advisor) == []
    assert review_detail(QualityReview.objects.get().pk, advisor) is None


def test_the_review_detail_is_an_audited_consultation_of_the_contact(advisor, supervisor):
    review = a_sampled_decision(advisor)
    contact = review.decision.contact
    Cue.objects.create(
        contact=contact,
        kind="weapon",
        source="narrative",
        evidence="knife",
        raised_at=timezone.now(),
    )
    detail = review_detail(review.pk, supervisor)
    assert detail.contact == contact
    assert detail.assessment == review.decision.assessment
    assert [cue.kind for cue in detail.cues] == ["weapon"]
    assert detail.may_review
    consultation = AuditEvent.objects.get(operation=Operation.CONSULTATION, object_type="contact")
    assert (consultation.object_id, consultation.actor_id) == (str(contact.pk), supervisor.pk)
    assert {"narrative", "reference"} <= set(consultation.fields)


def test_the_review_detail_of_an_own_or_reviewed_decision_offers_no_review(
    advisor, supervisor, second_supervisor
):
    own = a_sampled_decision(supervisor)
    done = a_completed_review(advisor, second_supervisor)
    assert review_detail(own.pk, supervisor).may_review is False
    assert review_detail(done.pk, supervisor).may_review is False
    assert review_detail(own.pk + done.pk + 100, supervisor) is None


# The quality measure -----------------------------------------------------------------------

SINCE = datetime(2026, 3, 1, tzinfo=UTC)
UNTIL = datetime(2026, 4, 1, tzinfo=UTC)


def test_the_quality_measure_counts_and_rates_outcomes_by_reason(advisor, supervisor):
    inside = SINCE + timedelta(days=3)
    for outcome, reason in [
        (ReviewOutcome.MEETS, ReviewReason.RANDOM),
        (ReviewOutcome.MEETS, ReviewReason.RANDOM),
        (ReviewOutcome.PARTLY, ReviewReason.RANDOM),
        (ReviewOutcome.DOES_NOT_MEET, ReviewReason.REGRADE),
    ]:
        a_completed_review(advisor, supervisor, outcome=outcome, reason=reason, reviewed_at=inside)
    measure = quality_measure(SINCE, UNTIL)
    assert measure.overall.counts == {"meets": 2, "partly": 1, "does_not_meet": 1}
    assert measure.overall.total == 4
    assert measure.overall.rate("meets") == 0.5
    assert measure.by_reason["random"].counts == {"meets": 2, "partly": 1, "does_not_meet": 0}
    assert measure.by_reason["regrade"].rate("does_not_meet") == 1.0
    assert measure.by_question["rationale_clear"].counts["meets"] == 2


def test_the_quality_measure_keeps_to_the_period(advisor, supervisor):
    a_completed_review(advisor, supervisor, reviewed_at=SINCE - timedelta(seconds=1))
    a_completed_review(advisor, supervisor, reviewed_at=SINCE)
    a_completed_review(advisor, supervisor, reviewed_at=UNTIL - timedelta(seconds=1))
    a_completed_review(advisor, supervisor, reviewed_at=UNTIL)
    assert quality_measure(SINCE, UNTIL).overall.total == 2


def test_the_quality_measure_for_one_division(advisor, supervisor, divisions):
    inside = SINCE + timedelta(days=1)
    a_completed_review(advisor, supervisor, reviewed_at=inside, contact=a_contact(division_id="E"))
    a_completed_review(advisor, supervisor, reviewed_at=inside, contact=a_contact(division_id="G"))
    a_completed_review(advisor, supervisor, reviewed_at=inside)
    assert quality_measure(SINCE, UNTIL, division="E").overall.total == 1
    assert quality_measure(SINCE, UNTIL).overall.total == 3


def test_the_quality_measure_of_an_empty_period_has_no_rates(advisor):
    a_review(a_decision(advisor), selected_at=SINCE + timedelta(days=1))
    measure = quality_measure(SINCE, UNTIL)
    assert measure.overall.total == 0
    assert measure.overall.rate("meets") is None
    assert measure.waiting == 1


# Policy versions ---------------------------------------------------------------------------

NEWER_TEXT = POLICY_TEXT.replace("review_after_minutes: 45", "review_after_minutes: 30")


def test_policy_versions_come_newest_first_with_their_decision_counts(advisor, supervisor):
    older = a_policy_version()
    newer = a_policy_version(NEWER_TEXT, name="Test CAM, Prompt review at 30 minutes")
    PolicyVersion.objects.filter(pk=older.pk).update(first_used_at=SINCE)
    for _ in range(3):
        a_decision(advisor, policy_version=older)
    a_decision(advisor, policy_version=newer)
    versions = policy_versions(supervisor)
    assert [(version.pk, version.decisions) for version in versions] == [
        (newer.pk, 1),
        (older.pk, 3),
    ]
    assert policy_versions(advisor) == []


def test_the_diff_of_two_policy_versions_marks_added_and_removed_lines(supervisor):
    older, newer = a_policy_version(), a_policy_version(NEWER_TEXT, name="Test CAM 2")
    diff = policy_version_diff(older.pk, newer.pk, supervisor)
    kinds = {(line.kind, line.text) for line in diff.lines}
    assert ("removed", "-    review_after_minutes: 45") in kinds
    assert ("added", "+    review_after_minutes: 30") in kinds
    assert (diff.added, diff.removed) == (1, 1)
    assert diff.lines[0].kind == diff.lines[1].kind == "header"


def test_the_diff_of_a_missing_version_is_none(advisor, supervisor):
    version = a_policy_version()
    assert policy_version_diff(version.pk, version.pk + 1, supervisor) is None
    assert policy_version_diff(version.pk, version.pk, advisor) is None
