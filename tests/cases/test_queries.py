"""Reading cases: staff see the whole timeline (audited), the person sees public updates only."""

import dataclasses

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from cairn.audit.models import AuditEvent, Operation
from cairn.cases.models import ClosureOutcome
from cairn.cases.queries import case_for_contact, case_timeline, public_updates_for_contact
from cairn.cases.services import add_update, assign, close_case, open_case, record_crime
from tests.cases.conftest import new_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def worked_case(contact, handler, resolution_officer, team):
    case = open_case(contact, category="crime.theft", actor=handler)
    assign(case, team=team, officer=resolution_officer, actor=handler)
    add_update(case, text="Neighbour saw a man in a red jacket.", public=False, actor=handler)
    add_update(case, text="An officer will call you tomorrow.", public=True, actor=handler)
    record_crime(case, classification="Theft of pedal cycle", actor=handler)
    close_case(
        case,
        outcome=ClosureOutcome.RESOLVED_BY_RESOLUTION_TEAM,
        public_message="We have finished looking into your report.",
        actor=handler,
    )
    return case


def test_a_contact_has_no_case_until_one_is_opened(contact, handler):
    assert case_for_contact(contact) is None
    case = open_case(contact, category="crime.theft", actor=handler)
    assert case_for_contact(contact) == case


def test_staff_who_work_contacts_read_the_whole_timeline_and_the_read_is_audited(
    handler, worked_case
):
    timeline = case_timeline(worked_case, user=handler)

    texts = [entry.text for entry in timeline]
    assert "Neighbour saw a man in a red jacket." in texts
    assert "Crime recorded: Theft of pedal cycle." in texts
    assert texts[-1] == "We have finished looking into your report."
    assert {entry.visibility for entry in timeline} == {"internal", "public"}
    assert timeline[0].author == ""  # the opening update is the system's
    assert any(entry.author == str(handler) for entry in timeline)
    [audit] = AuditEvent.objects.filter(
        operation=Operation.CONSULTATION, object_type="case", object_id=str(worked_case.pk)
    )
    assert audit.actor_id == handler.pk
    assert audit.context == {"updates": len(timeline), "internal": True}


def test_other_staff_read_only_the_public_updates(analyst, worked_case):
    timeline = case_timeline(worked_case, user=analyst)

    assert timeline
    assert {entry.visibility for entry in timeline} == {"public"}
    assert AuditEvent.objects.filter(
        operation=Operation.CONSULTATION, actor_id=analyst.pk, context__internal=False
    ).exists()


def test_someone_not_signed_in_reads_no_timeline(worked_case):
    with pytest.raises(PermissionDenied):
        case_timeline(worked_case, user=AnonymousUser())


def test_the_person_reads_public_updates_in_plain_words_without_staff_names(
    contact, handler, resolution_officer, worked_case
):
    no_case = new_contact()

    updates = public_updates_for_contact(contact)

    assert [u.text for u in updates] == [
        "We have opened a case for your report.",
        "An officer will call you tomorrow.",
        "We have recorded your report as a crime.",
        "We have finished looking into your report.",
    ]
    assert {field.name for field in dataclasses.fields(updates[0])} == {"at", "kind", "text"}
    shown = " ".join(u.text for u in updates)
    for name in (str(handler), str(resolution_officer), "Drummond", "Baird", "pedal cycle"):
        assert name not in shown
    assert public_updates_for_contact(no_case) == []
