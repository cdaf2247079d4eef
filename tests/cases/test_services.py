"""Cases: opening (idempotent per contact), contacts, updates, crime, assignment, closure."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from cairn.audit.models import AuditEvent, Operation
from cairn.cases.models import (
    MAX_UPDATE_LENGTH,
    Case,
    CaseContact,
    CaseStatus,
    CaseUpdate,
    ClosureOutcome,
    UpdateKind,
    Visibility,
)
from cairn.cases.services import (
    CaseClosed,
    CaseError,
    ContactInAnotherCase,
    add_contact_to_case,
    add_update,
    assign,
    close_case,
    open_case,
    record_crime,
)
from cairn.events.models import DomainEvent
from tests.cases.conftest import new_contact

pytestmark = pytest.mark.django_db


def case_events(case: Case, name: str) -> list[DomainEvent]:
    return list(DomainEvent.objects.filter(subject_type="case", subject_id=str(case.pk), name=name))


def case_audits(case: Case, operation: Operation) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type="case", object_id=str(case.pk), operation=operation)
    )


@pytest.fixture
def case(contact, handler):
    return open_case(contact, category="crime.theft", actor=handler)


# Opening ---------------------------------------------------------------------------------------


def test_opening_makes_a_referenced_case_with_its_audit_row_and_event(contact, handler):
    case = open_case(contact, category="crime.theft", actor=handler)

    assert re.fullmatch(r"CAS-\d{6}-\d{5,}", case.reference)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert case.division_id == contact.division_id
    assert case.opened_by == handler
    assert list(case.case_contacts.values_list("contact_id", flat=True)) == [contact.pk]
    [audit] = case_audits(case, Operation.COLLECTION)
    assert audit.actor_id == handler.pk
    [event] = case_events(case, "case.opened")
    assert event.data == {"contacts": [contact.pk], "category": "crime.theft"}
    [opening] = case.updates.all()
    assert opening.visibility == Visibility.PUBLIC and opening.author is None


def test_opening_twice_for_one_contact_returns_the_same_case_and_writes_nothing(
    contact, handler, case
):
    again = open_case(contact, category="asb.nuisance", actor=handler)

    assert again.pk == case.pk
    assert again.category == "crime.theft"
    assert Case.objects.count() == 1
    assert len(case_events(case, "case.opened")) == 1
    assert case.updates.count() == 1


def test_each_case_gets_its_own_reference(handler):
    first = open_case(new_contact(), category="crime.theft", actor=handler)
    second = open_case(new_contact(), category="crime.theft", actor=handler)
    assert first.reference != second.reference


def test_the_category_must_be_in_the_policy(contact, handler):
    with pytest.raises(ValidationError) as error:
        open_case(contact, category="crime.piracy", actor=handler)
    assert "category" in error.value.message_dict
    assert not Case.objects.exists()


def test_staff_without_the_capability_cannot_open_or_update(contact, analyst, case):
    with pytest.raises(PermissionDenied):
        open_case(new_contact(), category="crime.theft", actor=analyst)
    with pytest.raises(PermissionDenied):
        add_update(case, text="Called the person.", public=False, actor=analyst)
    with pytest.raises(PermissionDenied):
        close_case(
            case,
            outcome=ClosureOutcome.NO_FURTHER_ACTION,
            public_message="Closed.",
            actor=analyst,
        )
    assert Case.objects.count() == 1
    assert case.updates.count() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


# Contacts --------------------------------------------------------------------------------------


def test_a_second_contact_joins_the_case_once_and_the_event_lists_both(contact, handler, case):
    chaser = new_contact(reason="update")

    add_contact_to_case(case, chaser, actor=handler)
    add_contact_to_case(case, chaser, actor=handler)  # again: harmless

    assert CaseContact.objects.filter(case=case).count() == 2
    [event] = case_events(case, "case.contact_added")
    assert event.data == {"contacts": [contact.pk, chaser.pk], "contact": chaser.pk}
    assert len(case_audits(case, Operation.ALTERATION)) == 1


def test_a_contact_belongs_to_at_most_one_case(contact, handler, case):
    other = open_case(new_contact(), category="asb.nuisance", actor=handler)

    with pytest.raises(ContactInAnotherCase) as refusal:
        add_contact_to_case(other, contact, actor=handler)
    assert case.reference in str(refusal.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseContact.objects.create(case=other, contact=contact)


# Updates ---------------------------------------------------------------------------------------


def test_an_update_is_internal_or_public_with_its_audit_row_and_event(handler, case):
    internal = add_update(case, text="  Spoke to the neighbour.  ", public=False, actor=handler)
    public = add_update(case, text="An officer will call you tomorrow.", public=True, actor=handler)

    assert internal.visibility == Visibility.INTERNAL
    assert internal.text == "Spoke to the neighbour."
    assert public.visibility == Visibility.PUBLIC
    assert public.author == handler
    events = case_events(case, "case.updated")
    assert [e.data["visibility"] for e in events] == ["internal", "public"]
    assert all("text" not in e.data for e in events)
    assert len(case_audits(case, Operation.ALTERATION)) == 2


@pytest.mark.parametrize("text", ["", "   \n ", "x" * (MAX_UPDATE_LENGTH + 1)])
def test_an_update_needs_some_words_and_not_too_many(handler, case, text):
    with pytest.raises(ValidationError) as error:
        add_update(case, text=text, public=True, actor=handler)
    assert "text" in error.value.message_dict
    assert case.updates.count() == 1


def test_the_timeline_is_append_only_in_the_database(handler, case):
    update = add_update(case, text="Called the person.", public=False, actor=handler)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CaseUpdate.objects.filter(pk=update.pk).update(text="Something else.")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CaseUpdate.objects.filter(pk=update.pk).delete()
    update.refresh_from_db()
    assert update.text == "Called the person."


# Crime recording -------------------------------------------------------------------------------


def test_recording_a_crime_sets_it_once_with_an_internal_and_a_public_update(handler, case):
    record_crime(case, classification="Theft by housebreaking", actor=handler)

    case.refresh_from_db()
    assert case.crime_classification == "Theft by housebreaking"
    assert case.crime_recorded_by == handler and case.crime_recorded_at is not None
    recorded = case.updates.filter(kind=UpdateKind.CRIME_RECORDED)
    assert {u.visibility for u in recorded} == {Visibility.INTERNAL, Visibility.PUBLIC}
    [public] = recorded.filter(visibility=Visibility.PUBLIC)
    assert "housebreaking" not in public.text
    assert len(case_events(case, "case.crime_recorded")) == 1

    with pytest.raises(CaseError):
        record_crime(case, classification="Theft", actor=handler)
    with pytest.raises(ValidationError):
        record_crime(
            open_case(new_contact(), category="crime.theft", actor=handler),
            classification=" ",
            actor=handler,
        )


def test_a_crime_is_recorded_whole_or_not_at_all_in_the_database(case):
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(crime_classification="Theft")


# Assignment ------------------------------------------------------------------------------------


def test_assigning_gives_the_case_an_owner_and_starts_work(handler, resolution_officer, team, case):
    assign(case, team=team, officer=resolution_officer, actor=handler)

    case.refresh_from_db()
    assert (case.team, case.officer, case.status) == (team, resolution_officer, "in_progress")
    [note] = case.updates.filter(kind=UpdateKind.ASSIGNED)
    assert note.visibility == Visibility.INTERNAL
    [event] = case_events(case, "case.assigned")
    assert event.data["team"] == team.pk and event.data["officer"] == resolution_officer.pk

    with pytest.raises(ValidationError):
        assign(case, actor=handler)


# Closure ---------------------------------------------------------------------------------------


def test_closing_needs_an_outcome_and_a_message(handler, case):
    with pytest.raises(ValidationError) as error:
        close_case(case, outcome="", public_message="Done.", actor=handler)
    assert "outcome" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        close_case(case, outcome=ClosureOutcome.RESOLVED_LOCALLY, public_message=" ", actor=handler)
    assert "public_message" in error.value.message_dict
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_a_closed_case_has_its_outcome_a_public_message_and_refuses_changes(
    handler, resolution_officer, team, case
):
    close_case(
        case,
        outcome=ClosureOutcome.RESOLVED_BY_RESOLUTION_TEAM,
        public_message="We have dealt with your report and closed it. Thank you.",
        actor=handler,
    )

    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.outcome == "resolved_by_resolution_team"
    assert case.closed_by == handler and case.closed_at is not None
    last = case.updates.last()
    assert (last.kind, last.visibility) == (UpdateKind.CLOSED, Visibility.PUBLIC)
    [event] = case_events(case, "case.closed")
    assert event.data["outcome"] == "resolved_by_resolution_team"

    stale = Case.objects.get(pk=case.pk)  # a copy loaded before: the lock re-reads the row
    stale.status = CaseStatus.OPEN
    with pytest.raises(CaseClosed):
        add_update(stale, text="One more thing.", public=True, actor=handler)
    with pytest.raises(CaseClosed):
        record_crime(case, classification="Theft", actor=handler)
    with pytest.raises(CaseClosed):
        assign(case, team=team, actor=handler)
    with pytest.raises(CaseClosed):
        add_contact_to_case(case, new_contact(), actor=handler)
    with pytest.raises(CaseClosed):
        close_case(case, outcome=ClosureOutcome.NO_CRIME, public_message="Again.", actor=handler)
    assert case.updates.count() == 2


def test_the_database_refuses_a_closed_case_without_an_outcome(case):
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)


def test_a_resolution_team_officer_works_the_case_directly(resolution_officer, case):
    add_update(case, text="Called the person back.", public=False, actor=resolution_officer)
    record_crime(case, classification="Theft of pedal cycle", actor=resolution_officer)
    close_case(
        case,
        outcome=ClosureOutcome.RESOLVED_BY_RESOLUTION_TEAM,
        public_message="We have recorded the crime and closed your report.",
        actor=resolution_officer,
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.crime_recorded_by == resolution_officer
