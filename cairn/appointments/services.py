"""Writes for appointments: book, move, cancel, record the outcome.

Each is one transaction: the change, the case's timeline (a public sentence
for the person and an internal line with the details for staff), the audit
row, the domain event (codes and numbers: division, kind, wait, public
protection, via; never a name or an address) and the message to the person
(``tell_the_person``: the outbox row commits with the change or not at all).

A place in a slot is taken with one guarded statement,
``UPDATE … SET booked = booked + 1 WHERE booked < capacity``: PostgreSQL locks
the row and checks the condition again on the row as the winner left it, so
of two bookings racing for the last place one wins and the other is told the
time has gone. The check constraint ``booked <= capacity`` stands behind it.

Who may act: staff with WORK_CASES (booking during a call, outcomes), or the
person online (``actor=None``, ``via="online"``) once the portal has checked
they may see the report (``cairn.portal.tracking.may_track``).
"""

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cairn.accounts.roles import Capability, has_capability
from cairn.appointments.models import (
    OUTCOMES,
    Appointment,
    AppointmentKind,
    AppointmentSlot,
    AppointmentStatus,
    BookedVia,
)
from cairn.appointments.priority import is_public_protection
from cairn.appointments.wording import local, when, where
from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.cases.models import Case, CaseContact, UpdateKind, Visibility
from cairn.cases.notifications import tell_the_person
from cairn.cases.writing import write_update
from cairn.contacts.models import Contact
from cairn.events.services import record_event
from cairn.triage.next_steps import complete_next_step

DEFAULT_VIDEO_BASE_URL = "https://video.cairn.example/"
MAX_ADDRESS_LENGTH = 400
MAX_REASON_LENGTH = 300


class AppointmentError(Exception):
    """A booking refused for a reason the person or officer can act on; ``str()`` says it."""


class SlotTaken(AppointmentError):
    def __init__(self):
        super().__init__(
            _("That time has just been taken or is no longer offered. Choose another.")
        )


class AlreadyBooked(AppointmentError):
    def __init__(self):
        super().__init__(
            _("There is already an appointment booked for this report. Change that one instead.")
        )


class NotBooked(AppointmentError):
    def __init__(self):
        super().__init__(_("This appointment is no longer booked, so it cannot be changed."))


class CaseClosed(AppointmentError):
    def __init__(self):
        super().__init__(_("This report's case is closed: no appointment can be booked for it."))


def video_link() -> str:
    """A new meeting link no one can guess (about 144 random bits) under the video service."""
    base = getattr(settings, "CAIRN_VIDEO_BASE_URL", DEFAULT_VIDEO_BASE_URL)
    return f"{base.rstrip('/')}/{secrets.token_urlsafe(18)}"


def _require_staff(actor: Any, via: str) -> None:
    if actor is None:
        if via != BookedVia.ONLINE:
            raise PermissionDenied
        return
    if not has_capability(actor, Capability.WORK_CASES):
        raise PermissionDenied


def _clean_address(slot: AppointmentSlot, home_address: str) -> str:
    if slot.kind != AppointmentKind.HOME_VISIT:
        return ""
    address = " ".join((home_address or "").split())
    if not address:
        raise ValidationError({"home_address": _("Enter the address for the home visit.")})
    if len(address) > MAX_ADDRESS_LENGTH:
        raise ValidationError(
            {"home_address": _("Keep the address under %(max)d characters.") % {"max": 400}}
        )
    return address


def _take_place(slot: AppointmentSlot) -> AppointmentSlot:
    """One place in ``slot``, or ``SlotTaken``; the slot's row stays locked until commit."""
    taken = AppointmentSlot.objects.filter(
        pk=slot.pk,
        withdrawn_at__isnull=True,
        starts_at__gt=timezone.now(),
        booked__lt=F("capacity"),
    ).update(booked=F("booked") + 1)
    if not taken:
        raise SlotTaken
    return AppointmentSlot.objects.select_related("station").get(pk=slot.pk)


def _give_back_place(slot_id: int) -> None:
    AppointmentSlot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


def _locked_appointment(appointment: Appointment) -> Appointment:
    locked = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("case", "contact", "slot", "slot__station")
        .get(pk=appointment.pk)
    )
    if not locked.is_booked:
        raise NotBooked
    return locked


def _wait_minutes(contact: Contact, slot: AppointmentSlot) -> int:
    return int((slot.starts_at - contact.received_at).total_seconds() // 60)


def _write_update(case: Case, *, visibility: str, text: str, actor: Any, code: str = "") -> None:
    """One line on the case's timeline (append-only, as cases.services writes it)."""
    write_update(
        case,
        text=text,
        text_code=code,
        visibility=visibility,
        kind=UpdateKind.APPOINTMENT,
        author=actor,
    )


def _describe(appointment: Appointment) -> str:
    """The details staff read on the timeline (the person reads them on the tracking page)."""
    officer = appointment.slot.officer or _("any officer of the division")
    return _("%(reference)s, %(when)s, %(where)s, with %(officer)s.") % {
        "reference": appointment.reference,
        "when": when(appointment.slot.starts_at),
        "where": where(appointment.slot),
        "officer": officer,
    }


def _audit(operation: Operation, appointment: Appointment, fields: list[str], actor: Any, **ctx):
    record(
        operation,
        object_type="appointment",
        object_id=appointment.pk,
        fields=fields,
        actor=actor,
        context={"case": appointment.case_id, "contact": appointment.contact_id, **ctx},
    )


def _event(name: str, appointment: Appointment, **data: Any) -> None:
    record_event(
        name,
        subject_type="appointment",
        subject_id=appointment.pk,
        division=appointment.slot.division_id,
        data={
            "case": appointment.case_id,
            "kind": appointment.kind,
            "public_protection": appointment.public_protection,
            **data,
        },
    )


def _message_context(appointment: Appointment) -> dict[str, Any]:
    # Only when and how: no place, no crime, no names (the link shows the rest).
    return {"when": local(appointment.slot.starts_at), "kind": appointment.kind}


def _new_appointment(
    *,
    case: Case,
    contact: Contact,
    slot: AppointmentSlot,
    actor: Any,
    via: str,
    home_address: str,
    public_protection: bool,
    replaces: Appointment | None = None,
) -> Appointment:
    appointment = Appointment(
        case=case,
        contact=contact,
        slot=slot,
        kind=slot.kind,
        booked_by=actor if getattr(actor, "pk", None) else None,
        booked_via=via,
        public_protection=public_protection,
        video_link=video_link() if slot.kind == AppointmentKind.VIDEO else "",
        home_address=home_address,
        wait_minutes=_wait_minutes(contact, slot),
        replaces=replaces,
    )
    try:
        with transaction.atomic():
            appointment.save(force_insert=True)
    except IntegrityError as error:
        if "appointment_one_booked_per_contact" in str(error):
            raise AlreadyBooked from None
        raise
    appointment.refresh_from_db(fields=["reference"])
    return appointment


def book_appointment(
    case: Case,
    contact: Contact,
    slot: AppointmentSlot,
    *,
    actor: Any,
    via: str,
    home_address: str = "",
    public_protection: bool = False,
) -> Appointment:
    """Book ``contact`` (of ``case``) into ``slot``: by a handler during the call, or online.

    Public protection is the case's category, or the handler's mark. Marks the
    contact's "appointment to book" next step done and tells the person.
    """
    _require_staff(actor, via)
    if via not in BookedVia.values:
        raise ValidationError({"via": "unknown"})
    address = _clean_address(slot, home_address)
    with transaction.atomic():
        contact = Contact.objects.select_for_update(of=("self",)).get(pk=contact.pk)
        if not CaseContact.objects.filter(case_id=case.pk, contact_id=contact.pk).exists():
            raise ValidationError(_("That contact is not part of this case."))
        case = Case.objects.get(pk=case.pk)
        if case.is_closed:
            raise CaseClosed
        if Appointment.objects.filter(contact=contact, status=AppointmentStatus.BOOKED).exists():
            raise AlreadyBooked
        slot = _take_place(slot)
        appointment = _new_appointment(
            case=case,
            contact=contact,
            slot=slot,
            actor=actor,
            via=via,
            home_address=address,
            public_protection=public_protection or is_public_protection(case),
        )
        complete_next_step(contact, "appointment_to_book")
        _write_update(
            case, visibility=Visibility.PUBLIC, text="", actor=None, code="appointment_booked"
        )
        _write_update(
            case,
            visibility=Visibility.INTERNAL,
            text=_("Appointment booked (%(via)s): %(details)s")
            % {"via": BookedVia(via).label, "details": _describe(appointment)},
            actor=actor,
        )
        _audit(
            Operation.COLLECTION,
            appointment,
            ["slot", "kind", "home_address", "video_link", "public_protection"],
            actor,
        )
        _event(
            "appointment.booked",
            appointment,
            slot=slot.pk,
            wait_minutes=appointment.wait_minutes,
            via=via,
        )
        tell_the_person(
            case,
            template="appointment_booked",
            event_key=f"appointment-booked:{appointment.pk}",
            context=_message_context(appointment),
        )
        return appointment


def move_appointment(
    appointment: Appointment,
    slot: AppointmentSlot,
    *,
    actor: Any,
    via: str,
    home_address: str = "",
) -> Appointment:
    """Move a booked appointment to ``slot``: the old one is marked moved, a new one replaces it.

    A home visit moved to another home visit keeps its address unless a new one is given.
    """
    _require_staff(actor, via)
    with transaction.atomic():
        old = _locked_appointment(appointment)
        if old.case.is_closed:
            raise CaseClosed
        if slot.pk == old.slot_id:
            raise ValidationError({"slot": _("Choose a different time from the one booked.")})
        address = _clean_address(slot, home_address or old.home_address)
        new_slot = _take_place(slot)
        _give_back_place(old.slot_id)
        now = timezone.now()
        Appointment.objects.filter(pk=old.pk).update(
            status=AppointmentStatus.MOVED, closed_at=now, closed_by=actor
        )
        appointment.status, appointment.closed_at = AppointmentStatus.MOVED, now
        new = _new_appointment(
            case=old.case,
            contact=old.contact,
            slot=new_slot,
            actor=actor,
            via=via,
            home_address=address,
            public_protection=old.public_protection,
            replaces=old,
        )
        _write_update(
            old.case, visibility=Visibility.PUBLIC, text="", actor=None, code="appointment_moved"
        )
        _write_update(
            old.case,
            visibility=Visibility.INTERNAL,
            text=_("Appointment %(old)s moved (%(via)s). Now %(details)s")
            % {"old": old.reference, "via": BookedVia(via).label, "details": _describe(new)},
            actor=actor,
        )
        _audit(Operation.ALTERATION, old, ["status"], actor, replaced_by=new.pk)
        _audit(Operation.COLLECTION, new, ["slot", "kind", "home_address", "video_link"], actor)
        _event(
            "appointment.moved",
            new,
            slot=new_slot.pk,
            replaces=old.pk,
            from_kind=old.kind,
            wait_minutes=new.wait_minutes,
            via=via,
        )
        tell_the_person(
            old.case,
            template="appointment_moved",
            event_key=f"appointment-moved:{new.pk}",
            context=_message_context(new),
        )
        return new


def cancel_appointment(
    appointment: Appointment, *, reason: str, actor: Any, via: str = BookedVia.CALL
) -> Appointment:
    """Cancel a booked appointment and free its place. Staff give a reason; the person may."""
    _require_staff(actor, via)
    reason = " ".join((reason or "").split())
    if actor is not None and not reason:
        raise ValidationError({"reason": _("Say why the appointment is cancelled.")})
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError(
            {"reason": _("Keep the reason under %(max)d characters.") % {"max": MAX_REASON_LENGTH}}
        )
    with transaction.atomic():
        locked = _locked_appointment(appointment)
        now = timezone.now()
        Appointment.objects.filter(pk=locked.pk).update(
            status=AppointmentStatus.CANCELLED, closed_at=now, closed_by=actor, cancel_reason=reason
        )
        for target in (appointment, locked):
            target.status, target.closed_at, target.cancel_reason = (
                AppointmentStatus.CANCELLED,
                now,
                reason,
            )
        _give_back_place(locked.slot_id)
        _write_update(
            locked.case,
            visibility=Visibility.PUBLIC,
            text="",
            actor=None,
            code="appointment_cancelled",
        )
        who = _("by the person, online") if actor is None else BookedVia(via).label
        _write_update(
            locked.case,
            visibility=Visibility.INTERNAL,
            text=_("Appointment %(reference)s cancelled (%(who)s). %(reason)s")
            % {"reference": locked.reference, "who": who, "reason": reason},
            actor=actor,
        )
        _audit(Operation.ALTERATION, locked, ["status", "cancel_reason"], actor)
        _event(
            "appointment.cancelled",
            locked,
            via=via,
            by="person" if actor is None else "staff",
            hours_before=int((locked.slot.starts_at - now).total_seconds() // 3600),
        )
        tell_the_person(
            locked.case,
            template="appointment_cancelled",
            event_key=f"appointment-cancelled:{locked.pk}",
            context=_message_context(locked),
        )
        return locked


def record_outcome(appointment: Appointment, *, outcome: str, actor: Any) -> Appointment:
    """The officer's record of how it went: attended, missed, or to be rebooked.

    "Rescheduled" tells the person the appointment needs a new time; their
    tracking page then offers to book one.
    """
    if not has_capability(actor, Capability.WORK_CASES):
        raise PermissionDenied
    if outcome not in OUTCOMES:
        raise ValidationError({"outcome": _("Choose attended, missed or to be rebooked.")})
    with transaction.atomic():
        locked = _locked_appointment(appointment)
        now = timezone.now()
        Appointment.objects.filter(pk=locked.pk).update(
            status=outcome, closed_at=now, closed_by=actor
        )
        for target in (appointment, locked):
            target.status, target.closed_at = outcome, now
        if outcome == AppointmentStatus.RESCHEDULED:
            _give_back_place(locked.slot_id)
        _write_update(
            locked.case,
            visibility=Visibility.INTERNAL,
            text=_("Appointment %(reference)s: %(outcome)s.")
            % {"reference": locked.reference, "outcome": AppointmentStatus(outcome).label},
            actor=actor,
        )
        if outcome == AppointmentStatus.RESCHEDULED:
            _write_update(
                locked.case,
                visibility=Visibility.PUBLIC,
                text="",
                actor=None,
                code="appointment_rescheduled",
            )
            tell_the_person(
                locked.case,
                template="case_updated",
                event_key=f"appointment-rescheduled:{locked.pk}",
            )
        _audit(Operation.ALTERATION, locked, ["status"], actor, outcome=outcome)
        _event(
            f"appointment.{outcome}",
            locked,
            wait_minutes=locked.wait_minutes,
            minutes_from_start=int((now - locked.slot.starts_at).total_seconds() // 60),
        )
        return locked
