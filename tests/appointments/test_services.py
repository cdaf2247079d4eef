"""Booking, moving, cancelling and outcomes: what each writes, tells and refuses."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cairn.accounts.roles import Role
from cairn.appointments.models import Appointment, AppointmentKind, AppointmentStatus
from cairn.appointments.services import (
    AlreadyBooked,
    CaseClosed,
    NotBooked,
    SlotTaken,
    book_appointment,
    cancel_appointment,
    move_appointment,
    record_outcome,
)
from cairn.audit.models import AuditEvent, Operation
from cairn.cases.models import Case, CaseUpdate, UpdateKind, Visibility
from cairn.cases.services import close_case
from cairn.events.models import DomainEvent
from cairn.notify.models import OutboundMessage
from cairn.triage.models import NextStep, NextStepStatus
from tests.appointments.conftest import at, make_slot, new_contact, waiting_for_appointment
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


def booked(case, contact, slot, handler, **extra) -> Appointment:
    return book_appointment(case, contact, slot, actor=handler, via="call", **extra)


def events(name: str) -> list[DomainEvent]:
    return list(DomainEvent.objects.filter(name=name))


# Booking --------------------------------------------------------------------------------------


def test_booking_takes_a_place_and_makes_a_referenced_appointment(case, contact, slot, handler):
    appointment = booked(case, contact, slot, handler)

    assert re.fullmatch(r"APT-\d{6}-\d{5,}", appointment.reference)
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.booked_by == handler
    assert appointment.booked_via == "call"
    slot.refresh_from_db()
    assert slot.booked == 1
    expected = int((slot.starts_at - contact.received_at).total_seconds() // 60)
    assert appointment.wait_minutes == expected


def test_booking_marks_the_appointment_next_step_done(case, contact, slot, handler):
    assert NextStep.objects.get(contact=contact).status == NextStepStatus.OPEN

    booked(case, contact, slot, handler)

    assert NextStep.objects.get(contact=contact).status == NextStepStatus.DONE
    assert events("next_step.done")[0].data["kind"] == "appointment_to_book"


def test_booking_writes_a_public_sentence_and_internal_details_on_the_timeline(
    case, contact, slot, handler
):
    appointment = booked(case, contact, slot, handler)

    updates = CaseUpdate.objects.filter(case=case, kind=UpdateKind.APPOINTMENT).order_by("pk")
    public, internal = list(updates)
    assert public.visibility == Visibility.PUBLIC
    assert public.text_code == "appointment_booked"
    assert public.author is None
    assert internal.visibility == Visibility.INTERNAL
    assert appointment.reference in internal.text
    assert internal.author == handler


def test_booking_is_audited_and_its_event_carries_codes_and_numbers_only(
    case, contact, slot, handler
):
    appointment = booked(case, contact, slot, handler)

    audit = AuditEvent.objects.get(object_type="appointment", operation=Operation.COLLECTION)
    assert audit.object_id == str(appointment.pk)
    assert audit.actor_username == "handler"
    event = events("appointment.booked")[0]
    assert event.division == "E"
    assert event.data == {
        "case": case.pk,
        "kind": "phone",
        "public_protection": False,
        "slot": slot.pk,
        "wait_minutes": appointment.wait_minutes,
        "via": "call",
    }
    assert "Morag" not in str(event.data)


def test_booking_tells_the_person_when_and_how_with_a_link_and_nothing_else(
    case, contact, slot, handler
):
    booked(case, contact, slot, handler)

    message = OutboundMessage.objects.get(template="appointment_booked")
    assert message.recipient == "morag.macleod@example.org"
    assert "by phone" in message.body
    assert f"{slot.starts_at.astimezone(at(0).tzinfo):%H:%M}" in message.body
    assert f"/track/{contact.reference}/?t=" in message.body
    assert "bike" not in message.body
    assert "Leith" not in message.body


def test_the_message_is_in_the_persons_language(handler, edinburgh):
    contact = new_contact(language="gd")
    case = waiting_for_appointment(contact, handler)
    slot = make_slot(starts_at=at(3, 14, 30))

    booked(case, contact, slot, handler)

    message = OutboundMessage.objects.get(template="appointment_booked")
    assert message.language == "gd"
    assert "air a' fòn" in message.body
    assert "14:30" in message.body
    assert "/gd/track/" in message.body


def test_a_full_slot_is_refused_and_nothing_is_written(handler, edinburgh, slot):
    first, second = new_contact(), new_contact(reporter_email="sam@example.org")
    booked(waiting_for_appointment(first, handler), first, slot, handler)
    case = waiting_for_appointment(second, handler)
    before = CaseUpdate.objects.filter(case=case).count()

    with pytest.raises(SlotTaken):
        booked(case, second, slot, handler)

    slot.refresh_from_db()
    assert slot.booked == 1
    assert not Appointment.objects.filter(contact=second).exists()
    assert CaseUpdate.objects.filter(case=case).count() == before
    assert NextStep.objects.get(contact=second).status == NextStepStatus.OPEN


def test_a_slot_takes_as_many_as_its_capacity(handler, edinburgh):
    slot = make_slot(capacity=2)
    people = [new_contact(reporter_email=f"p{n}@example.org") for n in range(3)]
    cases = [waiting_for_appointment(person, handler) for person in people]

    booked(cases[0], people[0], slot, handler)
    booked(cases[1], people[1], slot, handler)
    with pytest.raises(SlotTaken):
        booked(cases[2], people[2], slot, handler)


def test_a_contact_has_one_booked_appointment_at_a_time(case, contact, slot, handler):
    booked(case, contact, slot, handler)

    with pytest.raises(AlreadyBooked):
        booked(case, contact, make_slot(starts_at=at(4)), handler)


def test_withdrawn_and_past_slots_cannot_be_booked(case, contact, handler):
    from django.utils import timezone

    withdrawn = make_slot(withdrawn_at=timezone.now())
    past = make_slot(starts_at=at(-1))
    for slot in (withdrawn, past):
        with pytest.raises(SlotTaken):
            booked(case, contact, slot, handler)


def test_a_home_visit_needs_the_address(case, contact, handler):
    slot = make_slot(kind=AppointmentKind.HOME_VISIT)

    with pytest.raises(ValidationError) as refused:
        booked(case, contact, slot, handler)
    assert "home_address" in refused.value.message_dict

    appointment = booked(case, contact, slot, handler, home_address=" 2  Leith Walk\nEdinburgh ")
    assert appointment.home_address == "2 Leith Walk Edinburgh"


def test_a_video_appointment_gets_its_own_unguessable_link(handler, edinburgh, settings):
    settings.CAIRN_VIDEO_BASE_URL = "https://meet.example.scot/lpa/"
    links = []
    for n in range(2):
        contact = new_contact(reporter_email=f"v{n}@example.org")
        case = waiting_for_appointment(contact, handler)
        slot = make_slot(kind=AppointmentKind.VIDEO, starts_at=at(3, 10 + n))
        links.append(booked(case, contact, slot, handler).video_link)

    assert all(re.fullmatch(r"https://meet\.example\.scot/lpa/[\w-]{24}", link) for link in links)
    assert links[0] != links[1]
    assert "meet.example" not in OutboundMessage.objects.first().body


def test_domestic_abuse_is_public_protection_by_its_category(handler, edinburgh, slot):
    contact = new_contact()
    case = waiting_for_appointment(contact, handler)
    Case.objects.filter(pk=case.pk).update(category="crime.domestic_abuse")
    case.refresh_from_db()

    appointment = booked(case, contact, slot, handler)

    assert appointment.public_protection
    assert events("appointment.booked")[0].data["public_protection"] is True


def test_the_handler_may_mark_a_booking_public_protection(case, contact, slot, handler):
    assert booked(case, contact, slot, handler, public_protection=True).public_protection


def test_only_staff_who_work_cases_book_and_the_public_only_online(case, contact, slot, analyst):
    with pytest.raises(PermissionDenied):
        book_appointment(case, contact, slot, actor=analyst, via="call")
    with pytest.raises(PermissionDenied):
        book_appointment(case, contact, slot, actor=None, via="call")

    appointment = book_appointment(case, contact, slot, actor=None, via="online")
    assert appointment.booked_by is None
    assert appointment.booked_via == "online"


def test_a_closed_case_takes_no_booking(case, contact, slot, handler):
    close_case(case, outcome="no_crime", public_message="No crime took place.", actor=handler)

    with pytest.raises(CaseClosed):
        booked(case, contact, slot, handler)


def test_a_contact_of_another_case_is_refused(case, slot, handler):
    stranger = new_contact(reporter_email="other@example.org")

    with pytest.raises(ValidationError):
        booked(case, stranger, slot, handler)


# Moving ---------------------------------------------------------------------------------------


def test_moving_marks_the_old_moved_books_the_new_and_moves_the_place(case, contact, slot, handler):
    old = booked(case, contact, slot, handler)
    later = make_slot(kind=AppointmentKind.IN_PERSON, starts_at=at(5, 15))

    new = move_appointment(old, later, actor=None, via="online")

    old.refresh_from_db()
    assert old.status == AppointmentStatus.MOVED
    assert new.replaces == old
    assert new.status == AppointmentStatus.BOOKED
    assert new.kind == AppointmentKind.IN_PERSON
    assert new.reference != old.reference
    slot.refresh_from_db()
    later.refresh_from_db()
    assert (slot.booked, later.booked) == (0, 1)
    event = events("appointment.moved")[0]
    assert event.data["from_kind"] == "phone"
    assert event.data["via"] == "online"
    message = OutboundMessage.objects.get(template="appointment_moved")
    assert "at a police station" in message.body
    assert "15:00" in message.body


def test_a_moved_appointment_cannot_be_moved_again(case, contact, slot, handler):
    old = booked(case, contact, slot, handler)
    move_appointment(old, make_slot(starts_at=at(4)), actor=handler, via="call")

    with pytest.raises(NotBooked):
        move_appointment(old, make_slot(starts_at=at(6)), actor=handler, via="call")


def test_moving_to_a_full_slot_keeps_the_appointment_as_it_was(case, contact, slot, handler):
    old = booked(case, contact, slot, handler)
    full = make_slot(starts_at=at(4), capacity=1)
    other = new_contact(reporter_email="other@example.org")
    booked(waiting_for_appointment(other, handler), other, full, handler)

    with pytest.raises(SlotTaken):
        move_appointment(old, full, actor=None, via="online")

    old.refresh_from_db()
    slot.refresh_from_db()
    assert old.status == AppointmentStatus.BOOKED
    assert slot.booked == 1


# Cancelling -----------------------------------------------------------------------------------


def test_the_person_cancels_online_and_the_place_is_freed(case, contact, slot, handler):
    appointment = booked(case, contact, slot, handler)

    cancel_appointment(appointment, reason="", actor=None, via="online")

    appointment.refresh_from_db()
    slot.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.closed_at is not None
    assert slot.booked == 0
    assert events("appointment.cancelled")[0].data["by"] == "person"
    assert OutboundMessage.objects.filter(template="appointment_cancelled").count() == 1
    public = CaseUpdate.objects.filter(case=case, text_code="appointment_cancelled")
    assert public.count() == 1


def test_staff_give_a_reason_to_cancel(case, contact, slot, handler):
    appointment = booked(case, contact, slot, handler)

    with pytest.raises(ValidationError):
        cancel_appointment(appointment, reason="  ", actor=handler)

    cancel_appointment(appointment, reason="Officer called to a major incident.", actor=handler)
    appointment.refresh_from_db()
    assert appointment.cancel_reason == "Officer called to a major incident."
    audit = AuditEvent.objects.filter(object_type="appointment", operation=Operation.ALTERATION)
    assert audit.get().actor_username == "handler"


# Outcomes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["attended", "missed"])
def test_the_officer_records_attended_or_missed(case, contact, slot, handler, outcome):
    appointment = booked(case, contact, slot, handler)

    record_outcome(appointment, outcome=outcome, actor=handler)

    appointment.refresh_from_db()
    assert appointment.status == outcome
    event = events(f"appointment.{outcome}")[0]
    assert event.data["wait_minutes"] == appointment.wait_minutes
    assert not OutboundMessage.objects.exclude(template="appointment_booked").exists()


def test_to_be_rebooked_frees_the_place_and_tells_the_person(case, contact, slot, handler):
    appointment = booked(case, contact, slot, handler)

    record_outcome(appointment, outcome="rescheduled", actor=handler)

    slot.refresh_from_db()
    assert slot.booked == 0
    assert CaseUpdate.objects.filter(case=case, text_code="appointment_rescheduled").exists()
    assert OutboundMessage.objects.filter(template="case_updated").count() == 1


def test_an_outcome_is_recorded_once_and_only_by_staff_who_work_cases(
    case, contact, slot, handler, analyst
):
    appointment = booked(case, contact, slot, handler)
    with pytest.raises(PermissionDenied):
        record_outcome(appointment, outcome="attended", actor=analyst)
    with pytest.raises(ValidationError):
        record_outcome(appointment, outcome="booked", actor=handler)

    record_outcome(appointment, outcome="attended", actor=handler)
    with pytest.raises(NotBooked):
        record_outcome(appointment, outcome="missed", actor=handler)


def test_a_partner_user_cannot_book(case, contact, slot):
    partner = make_staff("partner", Role.PARTNER_USER)
    with pytest.raises(PermissionDenied):
        book_appointment(case, contact, slot, actor=partner, via="call")
