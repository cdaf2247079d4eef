"""What Cairn knows of a contact and its case, as the plain facts an EIDO document is built from.

Reads the contact (where, what, who called back), its case (the incident
category and division) and, through the contact's own relations, its latest
THRIVE assessment and the cues raised on it. It imports nothing from triage:
triage calls dispatch, never the other way round, so a caller that knows the
policy's cue labels passes them in.
"""

from collections.abc import Sequence
from datetime import datetime

import phonenumbers

from cairn.cases.categories import category_label
from cairn.cases.models import Case
from cairn.contacts.models import Contact
from cairn.dispatch.eido import Caller, IncidentFacts, Location

THRIVE_ORDER = ("threat", "harm", "risk", "investigation", "vulnerability", "engagement")


def e164(phone: str) -> str:
    """The number in E.164 (+441315550123), or "" when it is not a valid number."""
    try:
        number = phonenumbers.parse(phone or "", "GB")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def caller_of(contact: Contact) -> Caller | None:
    """Who called, for the callback: None when anonymous or when they left nothing."""
    if contact.anonymous:
        return None
    name, phone = contact.reporter_name.strip(), e164(contact.reporter_phone)
    if not name and not phone:
        return None
    return Caller(name=name, phone=phone)


def location_of(contact: Contact, case: Case) -> Location:
    has_point = contact.latitude is not None and contact.longitude is not None
    return Location(
        address_text=contact.address_text,
        postcode=contact.postcode,
        latitude=contact.latitude if has_point else None,
        longitude=contact.longitude if has_point else None,
        accuracy_m=contact.location_accuracy_m if has_point else None,
        division_code=case.division_id or contact.division_id or "",
    )


def thrive_of(contact: Contact) -> tuple[tuple[str, str], ...]:
    """The latest assessment's levels, in THRIVE order; () when not assessed."""
    assessment = contact.assessments.order_by("-version").first()
    if assessment is None:
        return ()
    return tuple((dimension, getattr(assessment, dimension)) for dimension in THRIVE_ORDER)


def cues_of(contact: Contact) -> tuple[str, ...]:
    """The cues still raised, by kind in plain words ("weapon_mentioned" -> "Weapon mentioned")."""
    kinds = contact.cues.filter(status="raised").order_by("raised_at", "pk")
    return tuple(
        kind.replace("_", " ").capitalize() for kind in kinds.values_list("kind", flat=True)
    )


def decided_at_of(contact: Contact, default: datetime) -> datetime:
    decision = contact.decisions.order_by("-decided_at").first()
    return decision.decided_at if decision is not None else default


def incident_facts(
    case: Case,
    contact: Contact,
    *,
    grade: str,
    pathway: str,
    decided_at: datetime,
    cues: Sequence[str] | None = None,
) -> IncidentFacts:
    """The facts for ``contact``'s hand-off; ``cues`` as the policy labels them, if known."""
    return IncidentFacts(
        reference=contact.reference,
        grade=grade,
        pathway=pathway,
        category_code=case.category,
        category_label=category_label(case.category),
        narrative=contact.narrative,
        location=location_of(contact, case),
        received_at=contact.received_at,
        decided_at=decided_at_of(contact, decided_at),
        caller=caller_of(contact),
        thrive=thrive_of(contact),
        cues=tuple(cues) if cues is not None else cues_of(contact),
    )
