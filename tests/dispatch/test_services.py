"""Raising an incident for command and control: the EIDO document, the timeline, audit, events."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from cairn.accounts.roles import Role
from cairn.audit.models import AuditEvent, Operation
from cairn.cases.models import CaseUpdate, UpdateKind, Visibility
from cairn.dispatch.models import DispatchIncident, IncidentStatus
from cairn.dispatch.services import (
    RAISED_TEXT,
    RAISED_TEXT_CODE,
    DispatchError,
    raise_incident,
    retry_handoff,
)
from cairn.events.models import DomainEvent
from cairn.notify.models import OutboundMessage
from tests.conftest import make_staff
from tests.dispatch.conftest import case_for, emergency_contact, raise_for
from tests.dispatch.test_eido import schema_errors


def jobs(task_name: str) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT args FROM procrastinate_jobs WHERE task_name = %s ORDER BY id", [task_name]
        )
        return [
            json.loads(row[0]) if isinstance(row[0], str) else row[0] for row in cursor.fetchall()
        ]


def test_raising_stores_the_eido_document_it_will_send_and_it_validates(incident):
    document = incident.document
    assert schema_errors(document) == []
    assert incident.eido_id == document["$id"]
    assert document["$id"] == (
        f"urn:emergency:uid:incidentid:{incident.contact.reference}:scotland.police.uk"
    )
    component = document["incidentComponent"]
    assert component["incidentTypeInternalCode"] == "crime.assault"
    assert component["incidentPriorityInternalText"] == "immediate"
    assert component["incidentStatusInternalText"] == ["dynamic_response"]
    assert component["beatOrDispatchGroupText"] == "E"
    assert document["callbackComponent"][0]["callBackInformationUri"] == ["tel:+441315550123"]
    notes = [note["notesActionComments"] for note in document["notesComponent"]]
    assert notes[0] == "Two men fighting outside the chip shop.<br>One has a bottle."
    assert "12 Leith Walk, Edinburgh" in document["locationComponent"][0]["locationByValue"]
    assert incident.status == IncidentStatus.PENDING
    assert incident.division_id == "E"


def test_raising_writes_the_timeline_audit_event_and_defers_the_post(incident, handler):
    updates = list(CaseUpdate.objects.filter(case=incident.case, kind=UpdateKind.DISPATCH))
    internal, public = updates
    assert internal.visibility == Visibility.INTERNAL
    assert incident.contact.reference in internal.text
    assert internal.author == handler
    assert (public.visibility, public.text, public.text_code) == (
        Visibility.PUBLIC,
        RAISED_TEXT,
        RAISED_TEXT_CODE,
    )
    assert public.author is None
    audit = AuditEvent.objects.get(object_type="dispatch_incident", operation=Operation.COLLECTION)
    assert audit.actor_username == "handler"
    event = DomainEvent.objects.get(name="dispatch.raised")
    assert event.division == "E"
    assert event.data == {
        "case": incident.case_id,
        "contact": incident.contact_id,
        "grade": "immediate",
        "pathway": "dynamic_response",
        "category": "crime.assault",
    }
    assert jobs("dispatch.send") == [{"incident_id": incident.pk}]


def test_the_events_carry_no_words_of_the_public(incident):
    for event in DomainEvent.objects.filter(name__startswith="dispatch."):
        text = str(event.data)
        assert "Leith" not in text and "bottle" not in text and "Morag" not in text


def test_a_public_update_tells_the_person_with_a_link_only(handler, divisions):
    incident = raise_for(handler, reporter_email="morag@example.org")
    message = OutboundMessage.objects.get()
    assert message.template == "case_updated"
    assert "officers" not in message.body.lower()
    assert incident.contact.reference in message.body


def test_raising_again_for_the_contact_returns_the_same_incident(incident, handler):
    again = raise_incident(
        incident.case, incident.contact, grade="prompt", pathway="deploy_asap", actor=handler
    )
    assert again.pk == incident.pk
    assert DispatchIncident.objects.count() == 1
    assert DomainEvent.objects.filter(name="dispatch.raised").count() == 1
    assert len(jobs("dispatch.send")) == 1


def test_an_anonymous_caller_sends_no_person(handler, divisions):
    incident = raise_for(
        handler, anonymous=True, reporter_name="", reporter_phone="", reporter_email=""
    )
    assert "personComponent" not in incident.document
    assert schema_errors(incident.document) == []


def test_cues_given_by_the_caller_travel_as_notes(handler, divisions):
    contact = emergency_contact()
    case = case_for(contact, handler)
    incident = raise_incident(
        case,
        contact,
        grade="prompt",
        pathway="deploy_asap",
        actor=handler,
        cues=["Weapon mentioned"],
    )
    notes = [note["notesActionComments"] for note in incident.document["notesComponent"]]
    assert notes[-1] == "Weapon mentioned"
    assert incident.document["incidentComponent"]["incidentCommonPriorityNumber"] == 8


def test_only_immediate_and_prompt_are_raised(handler, divisions):
    contact = emergency_contact()
    case = case_for(contact, handler)
    with pytest.raises(ValidationError):
        raise_incident(case, contact, grade="standard", pathway="lpa", actor=handler)
    assert not DispatchIncident.objects.exists()


def test_a_contact_outside_the_case_is_refused(handler, divisions):
    contact = emergency_contact()
    case = case_for(contact, handler)
    stranger = emergency_contact(narrative="Something else entirely.")
    with pytest.raises(ValidationError):
        raise_incident(case, stranger, grade="immediate", pathway="dynamic_response", actor=handler)


def test_staff_who_neither_triage_nor_dispatch_may_not_raise(handler, divisions):
    officer = make_staff("resolver", Role.RESOLUTION_OFFICER)
    contact = emergency_contact()
    case = case_for(contact, handler)
    with pytest.raises(PermissionDenied):
        raise_incident(case, contact, grade="immediate", pathway="dynamic_response", actor=officer)


def test_a_failed_hand_off_can_be_tried_again_from_the_start(incident, operator):
    DispatchIncident.objects.filter(pk=incident.pk).update(
        status=IncidentStatus.FAILED, attempts=3, last_error="command and control answered HTTP 500"
    )
    retried = retry_handoff(incident, actor=operator)
    assert (retried.status, retried.attempts) == (IncidentStatus.PENDING, 0)
    assert len(jobs("dispatch.send")) == 2
    assert DomainEvent.objects.get(name="dispatch.retry_requested").data["previous_attempts"] == 3


def test_only_a_failed_hand_off_is_tried_again(incident, operator, handler):
    with pytest.raises(DispatchError, match="Only a failed hand-off"):
        retry_handoff(incident, actor=operator)
    DispatchIncident.objects.filter(pk=incident.pk).update(status=IncidentStatus.FAILED)
    with pytest.raises(PermissionDenied):
        retry_handoff(incident, actor=handler)  # a handler is not at the board
