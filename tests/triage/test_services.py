"""Triage services: what each enforces itself, the versions they keep, the work they create."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from cairn.accounts.roles import Role
from cairn.audit.context import acting_as
from cairn.audit.models import AuditEvent, Operation
from cairn.contacts.models import Contact, Status
from cairn.contacts.services import ContactSubmission, receive_contact
from cairn.events.models import DomainEvent
from cairn.triage import decisions, services
from cairn.triage.models import (
    THRIVE_DIMENSIONS,
    Assessment,
    Claim,
    Cue,
    CueStatus,
    Decision,
    DecisionKind,
    NextStep,
    NextStepStatus,
    QualityReview,
)
from cairn.triage.policy import current_policy
from cairn.triage.queries import suggestion_for
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db

NARRATIVE = "Someone smashed the window of my car overnight on Easter Road and took a bag."
EXPECTED_NEXT_STEP = {
    "dynamic_response": "dispatch_request",
    "deploy_asap": "dispatch_request",
    "local_policing_appointment": "appointment_to_book",
    "resolution_team": "resolution_task",
    "partner_referral": "referral",
    "advice_signposting": "advice_message",
    "no_further_action": "no_further_action",
}


def new_contact(**changes) -> Contact:
    fields = {
        "channel": "web_form",
        "narrative": NARRATIVE,
        "category": "crime.vehicle",
        "reporter_name": "Sam Reid",
        "reporter_email": "sam.reid@example.org",
        "postcode": "EH7 5QL",
        **changes,
    }
    with acting_as("web"):
        return Contact.objects.get(pk=receive_contact(ContactSubmission(**fields)).contact_id)


def thrive(level: str = "medium", **changes) -> dict[str, str]:
    values = {}
    for dimension in THRIVE_DIMENSIONS:
        values[dimension] = level
        values[f"{dimension}_note"] = f"{dimension} considered"
    return {**values, **changes}


@pytest.fixture
def contact(db):
    return new_contact()


@pytest.fixture
def claimed(contact, advisor):
    services.claim_contact(contact, advisor)
    contact.refresh_from_db()
    return contact


@pytest.fixture
def assessed(claimed, advisor):
    services.assess_contact(claimed, advisor, thrive(), "A car crime, no one hurt.")
    return claimed


def suggested(contact) -> tuple[str, str]:
    suggestion = suggestion_for(contact)
    return suggestion.grade, suggestion.pathway


def another_response(contact) -> tuple[str, str]:
    """A grade and pathway of the policy that is not the suggestion."""
    policy = current_policy()
    wanted = suggested(contact)
    return next(
        (pathway.grade, code)
        for code, pathway in policy.pathways.items()
        if pathway.grade != wanted[0]
    )


def decided_with(contact, user, grade: str, pathway: str) -> Decision:
    rationale = "" if (grade, pathway) == suggested(contact) else "The handler knows the area."
    return decisions.decide(contact, user, grade, pathway, rationale)


# Claims ------------------------------------------------------------------------------------


def test_claiming_marks_the_contact_in_assessment_with_an_audit_row_and_events(contact, advisor):
    claim = services.claim_contact(contact, advisor)
    contact.refresh_from_db()
    assert claim.handler == advisor
    assert contact.status == Status.IN_ASSESSMENT
    event = DomainEvent.objects.get(name="contact.claimed")
    assert event.subject_id == str(contact.pk)
    change = DomainEvent.objects.get(name="contact.status_changed")
    assert change.data == {"from": "received", "to": "in_assessment", "because": "claimed"}
    audit = AuditEvent.objects.get(operation=Operation.ALTERATION, object_type="contact")
    assert audit.actor_username == "advisor"
    assert "triage_claim" in audit.fields


def test_claiming_a_contact_someone_holds_names_them(contact, advisor):
    services.claim_contact(contact, advisor)
    other = make_staff("controlroom", Role.CONTROL_ROOM_OPERATOR)
    with pytest.raises(services.AlreadyClaimed, match="being assessed by Advisor"):
        services.claim_contact(contact, other)
    assert Claim.objects.get().handler == advisor


def test_claiming_ones_own_claim_again_changes_nothing(claimed, advisor):
    before = DomainEvent.objects.count()
    services.claim_contact(claimed, advisor)
    assert Claim.objects.count() == 1
    assert DomainEvent.objects.count() == before


def test_someone_without_the_triage_capability_cannot_claim(contact, analyst):
    with pytest.raises(PermissionDenied):
        services.claim_contact(contact, analyst)
    assert not Claim.objects.exists()


def test_releasing_puts_the_contact_back_in_the_queue(claimed, advisor):
    services.release_claim(claimed, advisor)
    claimed.refresh_from_db()
    assert claimed.status == Status.RECEIVED
    assert not Claim.objects.exists()
    assert DomainEvent.objects.filter(name="contact.released").exists()


def test_a_decided_contact_cannot_be_claimed_again(assessed, advisor):
    decided_with(assessed, advisor, *suggested(assessed))
    with pytest.raises(services.NotWaiting):
        services.claim_contact(assessed, advisor)


# THRIVE ------------------------------------------------------------------------------------


def test_the_service_names_every_missing_level_note_and_the_rationale(claimed, advisor):
    with pytest.raises(ValidationError) as refused:
        services.assess_contact(claimed, advisor, {}, "  ")
    missing = set(refused.value.message_dict)
    assert missing == {
        *THRIVE_DIMENSIONS,
        *(f"{dimension}_note" for dimension in THRIVE_DIMENSIONS),
        "rationale",
    }
    assert refused.value.message_dict["harm"] == ["Choose a level for Harm"]
    assert not Assessment.objects.exists()


def test_one_blank_note_is_refused_by_name(claimed, advisor):
    with pytest.raises(ValidationError) as refused:
        services.assess_contact(claimed, advisor, thrive(risk_note=" "), "Why")
    assert set(refused.value.message_dict) == {"risk_note"}


def test_a_level_outside_low_medium_high_is_refused(claimed, advisor):
    with pytest.raises(ValidationError) as refused:
        services.assess_contact(claimed, advisor, thrive(threat="extreme"), "Why")
    assert set(refused.value.message_dict) == {"threat"}


def test_a_second_assessment_is_version_2_and_the_first_is_unchanged(claimed, advisor):
    first = services.assess_contact(claimed, advisor, thrive("low"), "First look.")
    second = services.assess_contact(claimed, advisor, thrive("high"), "The caller rang back.")
    first_again = Assessment.objects.get(pk=first.pk)
    assert (first_again.version, second.version) == (1, 2)
    assert first_again.levels() == dict.fromkeys(THRIVE_DIMENSIONS, "low")
    assert first_again.rationale == "First look."
    assert second.levels() == dict.fromkeys(THRIVE_DIMENSIONS, "high")
    assert (
        list(DomainEvent.objects.filter(name="contact.assessed").values_list("data", flat=True))[1][
            "version"
        ]
        == 2
    )


def test_only_the_claim_holder_may_assess(contact, advisor):
    with pytest.raises(services.NotClaimed):
        services.assess_contact(contact, advisor, thrive(), "Why")
    other = make_staff("controlroom", Role.CONTROL_ROOM_OPERATOR)
    services.claim_contact(contact, other)
    with pytest.raises(services.AlreadyClaimed):
        services.assess_contact(contact, advisor, thrive(), "Why")
    assert not Assessment.objects.exists()


def test_an_assessment_is_audited_by_field_name_and_its_event_has_levels_only(claimed, advisor):
    assessment = services.assess_contact(claimed, advisor, thrive(), "Private reasoning here")
    audit = AuditEvent.objects.get(object_type="assessment", object_id=str(assessment.pk))
    assert audit.operation == Operation.COLLECTION
    assert "rationale" in audit.fields
    event = DomainEvent.objects.get(name="contact.assessed")
    assert "Private reasoning" not in json.dumps(event.data)
    assert event.data["threat"] == "medium"


# Decisions ---------------------------------------------------------------------------------


def test_following_the_suggestion_needs_no_rationale_and_ends_the_claim(assessed, advisor):
    grade, pathway = suggested(assessed)
    decision = decisions.decide(assessed, advisor, grade, pathway)
    assessed.refresh_from_db()
    assert decision.follows_suggestion
    assert (decision.suggested_grade, decision.suggested_pathway) == (grade, pathway)
    assert decision.explanation
    assert decision.policy_version.digest == current_policy().digest
    assert decision.kind == DecisionKind.INITIAL
    assert assessed.status == Status.ASSESSED
    assert not Claim.objects.exists()


def test_the_decision_event_carries_the_response_and_no_personal_data(assessed, advisor):
    grade, pathway = suggested(assessed)
    decision = decisions.decide(assessed, advisor, grade, pathway)
    event = DomainEvent.objects.get(name="contact.decided")
    assert event.data["grade"] == grade
    assert event.data["pathway"] == pathway
    assert event.data["follows_suggestion"] is True
    text = json.dumps(event.data)
    for personal in ("Sam Reid", "sam.reid", "Easter Road", "EH7"):
        assert personal not in text
    audit = AuditEvent.objects.get(object_type="decision", object_id=str(decision.pk))
    assert audit.context["contact"] == assessed.pk


def test_choosing_other_than_the_suggestion_without_a_rationale_is_refused(assessed, advisor):
    grade, pathway = another_response(assessed)
    with pytest.raises(ValidationError) as refused:
        decisions.decide(assessed, advisor, grade, pathway, "   ")
    message = refused.value.message_dict["rationale"][0]
    assert "not the suggested" in message
    assert "give a rationale" in message
    assert not Decision.objects.exists()
    assert not NextStep.objects.exists()
    assessed.refresh_from_db()
    assert assessed.status == Status.IN_ASSESSMENT
    assert Claim.objects.filter(contact=assessed).exists()


def test_an_override_with_a_rationale_is_kept_and_counted(assessed, advisor):
    grade, pathway = another_response(assessed)
    decision = decisions.decide(assessed, advisor, grade, pathway, "Victim is vulnerable.")
    assert not decision.follows_suggestion
    assert decision.rationale == "Victim is vulnerable."
    assert DomainEvent.objects.get(name="contact.decided").data["follows_suggestion"] is False


def test_a_pathway_not_under_the_grade_is_refused(assessed, advisor):
    with pytest.raises(ValidationError) as refused:
        decisions.decide(assessed, advisor, "immediate", "no_further_action", "Because")
    assert "pathway" in refused.value.message_dict
    assert not Decision.objects.exists()


def test_a_decision_needs_an_assessment_first(claimed, advisor):
    with pytest.raises(ValidationError) as refused:
        decisions.decide(claimed, advisor, "standard", "local_policing_appointment", "Because")
    assert "assessment" in refused.value.message_dict


def test_a_contact_is_decided_once_then_regraded(assessed, advisor):
    decided_with(assessed, advisor, *suggested(assessed))
    with pytest.raises(services.NotWaiting):
        decisions.decide(assessed, advisor, *suggested(assessed))


@pytest.mark.parametrize(("pathway", "next_step"), EXPECTED_NEXT_STEP.items())
def test_each_pathway_creates_its_next_step(assessed, advisor, pathway, next_step):
    grade = current_policy().pathways[pathway].grade
    decision = decided_with(assessed, advisor, grade, pathway)
    step = NextStep.objects.get(decision=decision)
    assert step.kind == next_step
    assert step.status == NextStepStatus.OPEN
    assert step.contact_id == assessed.pk
    assert step.details["pathway"] == pathway


def test_a_prompt_decision_is_due_for_review_after_45_minutes(assessed, advisor):
    decision = decided_with(assessed, advisor, "prompt", "deploy_asap")
    assert current_policy().grades["prompt"].review_after_minutes == 45
    assert decision.next_step.due_by == decision.decided_at + timedelta(minutes=45)


def test_a_standard_decision_has_no_review_deadline(assessed, advisor):
    decision = decided_with(assessed, advisor, "standard", "local_policing_appointment")
    assert decision.next_step.due_by is None


# Regrade and transfer ----------------------------------------------------------------------


@pytest.fixture
def decided(assessed, advisor):
    decided_with(assessed, advisor, "standard", "local_policing_appointment")
    return assessed


def test_a_regrade_without_a_rationale_is_refused(decided, advisor):
    with pytest.raises(ValidationError) as refused:
        decisions.regrade(decided, advisor, "prompt", "deploy_asap", "")
    assert "rationale" in refused.value.message_dict
    assert Decision.objects.count() == 1


def test_a_regrade_supersedes_the_last_decision_and_replaces_its_next_step(decided, advisor):
    first = Decision.objects.get()
    second = decisions.regrade(decided, advisor, "prompt", "deploy_asap", "Suspect seen nearby.")
    first_step, second_step = NextStep.objects.get(decision=first), second.next_step
    assert second.kind == DecisionKind.REGRADE
    assert second.supersedes == first
    assert Decision.objects.get(pk=first.pk).grade == "standard"  # the first is kept as it was
    assert first_step.status == NextStepStatus.CANCELLED
    assert (second_step.kind, second_step.status) == ("dispatch_request", NextStepStatus.OPEN)
    assert QualityReview.objects.get(decision=second).reason == "regrade"
    event = DomainEvent.objects.get(name="contact.regraded")
    assert (event.data["previous_grade"], event.data["grade"]) == ("standard", "prompt")


def test_a_regrade_to_the_same_response_is_refused(decided, advisor):
    with pytest.raises(ValidationError):
        decisions.regrade(decided, advisor, "standard", "local_policing_appointment", "Same")


def test_a_transfer_needs_a_department_and_a_rationale(decided, advisor):
    with pytest.raises(ValidationError) as no_department:
        decisions.transfer(decided, advisor, " ", "Because")
    assert "department" in no_department.value.message_dict
    with pytest.raises(ValidationError) as no_rationale:
        decisions.transfer(decided, advisor, "Road Policing", "")
    assert "rationale" in no_rationale.value.message_dict
    assert Decision.objects.count() == 1


def test_a_transfer_keeps_the_response_and_moves_the_work(decided, advisor):
    first = Decision.objects.get()
    moved = decisions.transfer(decided, advisor, "Road Policing", "A road traffic matter.")
    assert (moved.kind, moved.grade, moved.pathway) == ("transfer", first.grade, first.pathway)
    assert moved.department == "Road Policing"
    assert moved.next_step.details["department"] == "Road Policing"
    assert NextStep.objects.get(decision=first).status == NextStepStatus.CANCELLED
    assert DomainEvent.objects.filter(name="contact.transferred").exists()


def test_an_immediate_decision_always_has_an_open_next_step(assessed, advisor):
    decided_with(assessed, advisor, "immediate", "dynamic_response")
    decisions.transfer(assessed, advisor, "British Transport Police", "On the railway.")
    decisions.regrade(assessed, advisor, "prompt", "deploy_asap", "Threat has passed.")
    decisions.regrade(assessed, advisor, "immediate", "dynamic_response", "Suspect returned.")
    for decision in Decision.objects.filter(grade="immediate"):
        assert decision.next_step.kind == "dispatch_request"
    current = Decision.objects.order_by("-decided_at", "-pk").first()
    assert current.next_step.status == NextStepStatus.OPEN
    assert NextStep.objects.filter(status=NextStepStatus.OPEN).count() == 1


def test_an_immediate_decision_left_without_open_work_is_refused(assessed, advisor):
    decision = decided_with(assessed, advisor, "immediate", "dynamic_response")
    NextStep.objects.filter(decision=decision).update(status=NextStepStatus.CANCELLED)
    with pytest.raises(IntegrityError, match="no open next step"):
        decisions._ensure_immediate_has_next_step(decision)
    # Put it back: the database itself refuses this state at commit (test below),
    # and the test's own teardown checks deferred constraints.
    NextStep.objects.filter(decision=decision).update(status=NextStepStatus.OPEN)


# Cues --------------------------------------------------------------------------------------


def test_cues_are_raised_from_the_narrative_once(advisor):
    contact = new_contact(narrative="He is outside with a knife and says he will stab me.")
    services.raise_cues_for(contact)
    services.raise_cues_for(contact)
    cue = Cue.objects.get(contact=contact, kind="weapon")
    assert cue.source == "narrative"
    assert "knife" in cue.evidence.lower()
    assert Cue.objects.filter(contact=contact, kind="weapon").count() == 1
    assert DomainEvent.objects.filter(name="contact.cues_raised").count() == 1


def test_recent_contacts_from_the_same_email_raise_a_repeat_victim_cue(advisor):
    policy = current_policy()
    threshold = policy.cue_kinds["repeat_victim"].recent_contacts[1]
    for _ in range(threshold):
        new_contact(postcode="")
    contact = new_contact(postcode="")
    kinds = {cue.kind for cue in services.raise_cues_for(contact)}
    assert "repeat_victim" in kinds
    audit = AuditEvent.objects.get(operation=Operation.COMBINATION, object_id=str(contact.pk))
    assert audit.context["recent_contacts"] == threshold


def test_a_cue_cannot_be_dismissed_without_a_note(advisor):
    contact = new_contact(narrative="He has a knife.")
    services.claim_contact(contact, advisor)
    cue = Cue.objects.get(contact=contact, kind="weapon")
    with pytest.raises(ValidationError) as refused:
        services.dismiss_cue(cue, advisor, "  ")
    assert "note" in refused.value.message_dict
    cue.refresh_from_db()
    assert cue.status == CueStatus.RAISED


def test_a_dismissed_cue_keeps_its_note_and_who_dismissed_it(advisor):
    contact = new_contact(narrative="He has a knife.")
    services.claim_contact(contact, advisor)
    cue = Cue.objects.get(contact=contact, kind="weapon")
    services.dismiss_cue(cue, advisor, "The knife is a butter knife he was using at dinner.")
    cue.refresh_from_db()
    assert cue.status == CueStatus.DISMISSED
    assert cue.dismissed_by == advisor
    assert cue.dismissal_note.startswith("The knife")
    assert DomainEvent.objects.get(name="cue.dismissed").data == {"kind": "weapon"}


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_to_leave_a_current_immediate_decision_without_its_next_step(
    advisor,
):
    contact = new_contact(narrative="He is outside with a knife and says he will stab me.")
    services.claim_contact(contact, advisor)
    services.assess_contact(contact, advisor, thrive("high"), "Threat to life.")
    decision = decisions.decide(contact, advisor, "immediate", "dynamic_response", "Knife.")
    with pytest.raises(IntegrityError, match="has no next step"), transaction.atomic():
        NextStep.objects.filter(decision=decision).update(status=NextStepStatus.CANCELLED)
    assert NextStep.objects.get(decision=decision).status == NextStepStatus.OPEN
    # Work that is done still counts as the decision's next step.
    NextStep.objects.filter(decision=decision).update(status=NextStepStatus.DONE)
