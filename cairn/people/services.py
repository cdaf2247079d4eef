"""Writes for people: record a person, match a contact to one, link and unlink.

Each function is one transaction with its audit row and domain event.
Events carry ids and codes only, never names or numbers. Merging lives in
``merging.py``, markers in ``markers.py``, corrections in ``rectification.py``.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.contacts.models import Contact
from cairn.events.services import record_event
from cairn.people.identity import (
    Identity,
    identity_of,
    identity_of_contact,
    normalise_name,
    split_typed_name,
)
from cairn.people.matching import MatchResult, match_identity
from cairn.people.models import (
    ContactMatch,
    Identifier,
    IdentifierKind,
    LinkMethod,
    MatchOutcome,
    MatterRole,
    MatterRoleKind,
    NameKind,
    Person,
    PersonAddress,
    PersonName,
    PossibleMatch,
)
from cairn.people.scoring import MatchScore
from cairn.places.queries import find_postcode


def require(user: Any, capability: Capability) -> None:
    if user is not None and not has_capability(user, capability):
        raise PermissionDenied(_("Your role does not allow this."))


# Recording what we learn about a person ---------------------------------------------------


def _add_identity(person: Person, identity: Identity, raw_address: str = "") -> list[str]:
    """Add the identity's phones, emails and address to the person if new. Returns field names."""
    added: list[str] = []
    for kind, values in (
        (IdentifierKind.PHONE, identity.phones),
        (IdentifierKind.EMAIL, identity.emails),
    ):
        for value in values:
            _, created = Identifier.objects.get_or_create(person=person, kind=kind, value=value)
            if created:
                added.append(kind)
    if identity.address or identity.postcode:
        known = PersonAddress.objects.filter(
            person=person, normalised=identity.address, postcode=identity.postcode
        ).exists()
        if not known:
            PersonAddress.objects.filter(person=person, is_current=True).update(is_current=False)
            place = find_postcode(identity.postcode) if identity.postcode else None
            PersonAddress.objects.create(
                person=person,
                address_text=raw_address or identity.address or identity.postcode,
                postcode=identity.postcode,
                normalised=identity.address,
                latitude=place.latitude if place else None,
                longitude=place.longitude if place else None,
            )
            added.append("address")
    return added


def _raw_names(contact: Contact) -> tuple[str, str]:
    """The reporter's name as typed, split like the identity (given, family)."""
    return split_typed_name(contact.reporter_name)


def _new_person(identity: Identity, *, given: str, family: str, language: str = "") -> Person:
    person = Person.objects.create(
        given_name=given,
        family_name=family,
        search_name=normalise_name(given, family),
        date_of_birth=identity.date_of_birth,
        preferred_language=language,
    )
    PersonName.objects.create(
        person=person,
        kind=NameKind.PRIMARY,
        given_name=given,
        family_name=family,
        normalised=normalise_name(given, family),
    )
    return person


@transaction.atomic
def record_person(
    *,
    given_name: str,
    family_name: str,
    date_of_birth=None,
    phones: tuple[str, ...] = (),
    emails: tuple[str, ...] = (),
    address: str = "",
    postcode: str = "",
    preferred_language: str = "",
    actor: Any = None,
) -> Person:
    """Create a person from details a handler typed (not from a contact)."""
    require(actor, Capability.MANAGE_PEOPLE)
    if not (given_name.strip() or family_name.strip()):
        raise ValidationError({"given_name": _("Enter the person's name")})
    identity = identity_of(
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        phones=phones,
        emails=emails,
        address=address,
        postcode=postcode,
    )
    person = _new_person(
        identity,
        given=given_name.strip(),
        family=family_name.strip(),
        language=preferred_language,
    )
    fields = ["name", *_add_identity(person, identity, address)]
    if date_of_birth:
        fields.append("date_of_birth")
    record(
        Operation.COLLECTION, object_type="person", object_id=person.pk, fields=fields, actor=actor
    )
    record_event("person.recorded", subject_type="person", subject_id=person.pk)
    return person


# Matching a contact -----------------------------------------------------------------------


def _link(
    contact: Contact,
    person: Person,
    *,
    role: str,
    method: str,
    actor: Any,
    match: MatchScore | None = None,
) -> MatterRole:
    matter_role = MatterRole.objects.create(
        person=person,
        contact=contact,
        role=role,
        method=method,
        match_score=match.score if match else None,
        match_reasons=list(match.reasons) if match else [],
        linked_by=actor if getattr(actor, "pk", None) else None,
    )
    record(
        Operation.COMBINATION if method == LinkMethod.AUTOMATIC else Operation.ALTERATION,
        object_type="person",
        object_id=person.pk,
        fields=["roles"],
        actor=actor,
        context={"contact": contact.pk, "role": role, "method": method},
    )
    data: dict[str, Any] = {"contact": contact.pk, "role": role, "method": method}
    if role == MatterRoleKind.REPORTER:
        data["repeat_contact"] = _reported_recently(person, contact)
    record_event(
        "person.linked",
        subject_type="person",
        subject_id=person.pk,
        division=contact.division_id or "",
        channel=contact.channel,
        data=data,
    )
    return matter_role


REPEAT_CONTACT_DAYS = 30


def _reported_recently(person: Person, contact: Contact) -> bool:
    """Whether the person reported another contact in the 30 days before this one (for the
    repeat contact measure). A role is linked after its contact arrives, so only roles linked
    since the window opened can qualify: the (person, linked_at) index narrows to those."""
    since = contact.received_at - timezone.timedelta(days=REPEAT_CONTACT_DAYS)
    return (
        MatterRole.objects.filter(
            person=person,
            role=MatterRoleKind.REPORTER,
            ended_at__isnull=True,
            linked_at__gte=since,
            contact__received_at__gte=since,
            contact__received_at__lte=contact.received_at,
        )
        .exclude(contact=contact)
        .exists()
    )


def _person_from_contact(contact: Contact, identity: Identity, *, actor: Any) -> Person:
    """A new person record from what the contact says about its reporter."""
    given, family = _raw_names(contact)
    person = _new_person(identity, given=given, family=family, language=contact.language)
    _add_identity(person, identity, (contact.reporter_details or {}).get("address", ""))
    record(
        Operation.COLLECTION,
        object_type="person",
        object_id=person.pk,
        fields=["name", "identifiers"],
        actor=actor,
        context={"contact": contact.pk},
    )
    return person


def _locked_contact(contact_id: int) -> Contact:
    return Contact.objects.select_for_update().get(pk=contact_id)


@transaction.atomic
def match_contact(contact_id: int, *, actor: Any = None) -> ContactMatch:
    """Match a contact's reporter to a person, once (a second call returns the first answer).

    Confident: linked as reporter, and any new phone, email or address is
    added to the person. Uncertain: possible matches for the handler, no link.
    No candidate: a new person from the contact's details. Anonymous or no
    details: nothing to match.
    """
    contact = _locked_contact(contact_id)
    done = ContactMatch.objects.filter(contact=contact).first()
    if done is not None:
        return done
    identity = identity_of_contact(contact)
    if not identity.full_name and not identity.phones and not identity.emails:
        return ContactMatch.objects.create(contact=contact, outcome=MatchOutcome.NO_IDENTITY)
    result: MatchResult = match_identity(identity)
    if result.confident:
        person = Person.objects.get(pk=result.confident.person_id)
        _link(
            contact,
            person,
            role=MatterRoleKind.REPORTER,
            method=LinkMethod.AUTOMATIC,
            actor=actor,
            match=result.confident,
        )
        _add_identity(person, identity, (contact.reporter_details or {}).get("address", ""))
        outcome = MatchOutcome.LINKED
    elif result.possible:
        PossibleMatch.objects.bulk_create(
            PossibleMatch(
                contact=contact,
                person_id=match.person_id,
                score=match.score,
                reasons=list(match.reasons),
            )
            for match in result.possible
        )
        outcome = MatchOutcome.POSSIBLE
    elif identity.full_name:
        person = _person_from_contact(contact, identity, actor=actor)
        _link(contact, person, role=MatterRoleKind.REPORTER, method=LinkMethod.CREATED, actor=actor)
        outcome = MatchOutcome.NEW_PERSON
    else:
        outcome = MatchOutcome.NO_IDENTITY  # a number or address alone: nothing to call a person
    return ContactMatch.objects.create(contact=contact, outcome=outcome)


def contacts_to_match(limit: int = 200) -> list[int]:
    """Contacts not yet through matching, oldest first (the periodic task's work)."""
    since = timezone.now() - timezone.timedelta(days=2)
    return list(
        Contact.objects.filter(received_at__gte=since, person_match__isnull=True)
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )


def match_pending_contacts(limit: int = 200) -> int:
    """Match every waiting contact, one transaction each (one bad contact stops none)."""
    done = 0
    for contact_id in contacts_to_match(limit):
        try:
            match_contact(contact_id)
        except IntegrityError:
            continue  # matched by someone else in the meantime
        done += 1
    return done


# Handler decisions ------------------------------------------------------------------------


@transaction.atomic
def link_person_to_contact(
    contact: Contact, person: Person, *, role: str, actor: Any, reason: str = ""
) -> MatterRole:
    """A handler says this person has this role on the contact."""
    require(actor, Capability.MANAGE_PEOPLE)
    if role not in MatterRoleKind.values:
        raise ValidationError({"role": _("Choose the person's role")})
    contact = _locked_contact(contact.pk)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.merged_into_id:
        raise ValidationError(_("That record was merged into another: link the other one."))
    if MatterRole.objects.filter(
        contact=contact, person=person, role=role, ended_at__isnull=True
    ).exists():
        raise ValidationError(_("That person already has that role on this contact."))
    matter_role = _link(contact, person, role=role, method=LinkMethod.MANUAL, actor=actor)
    PossibleMatch.objects.filter(
        contact=contact, person=person, status=PossibleMatch.Status.OPEN
    ).update(status=PossibleMatch.Status.ACCEPTED, decided_at=timezone.now(), decided_by=actor)
    return matter_role


@transaction.atomic
def reject_possible_match(possible: PossibleMatch, *, actor: Any) -> None:
    require(actor, Capability.MANAGE_PEOPLE)
    updated = PossibleMatch.objects.filter(pk=possible.pk, status=PossibleMatch.Status.OPEN).update(
        status=PossibleMatch.Status.REJECTED, decided_at=timezone.now(), decided_by=actor
    )
    if updated:
        record(
            Operation.ALTERATION,
            object_type="person",
            object_id=possible.person_id,
            fields=["possible_matches"],
            actor=actor,
            context={"contact": possible.contact_id, "decision": "not the same person"},
        )


@transaction.atomic
def create_person_for_contact(contact: Contact, *, actor: Any) -> MatterRole:
    """None of the possible matches: the reporter is someone new."""
    require(actor, Capability.MANAGE_PEOPLE)
    contact = _locked_contact(contact.pk)
    identity = identity_of_contact(contact)
    if not identity.full_name:
        raise ValidationError(_("The contact gives no name to make a person record from."))
    person = _person_from_contact(contact, identity, actor=actor)
    PossibleMatch.objects.filter(contact=contact, status=PossibleMatch.Status.OPEN).update(
        status=PossibleMatch.Status.REJECTED, decided_at=timezone.now(), decided_by=actor
    )
    return _link(
        contact, person, role=MatterRoleKind.REPORTER, method=LinkMethod.MANUAL, actor=actor
    )


@transaction.atomic
def unlink(matter_role: MatterRole, *, actor: Any, reason: str) -> MatterRole:
    """End a person's role on a contact (kept, with who ended it and why)."""
    require(actor, Capability.MANAGE_PEOPLE)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why this person is not linked to the contact")})
    matter_role = MatterRole.objects.select_for_update().get(pk=matter_role.pk)
    if matter_role.ended_at:
        return matter_role
    matter_role.ended_at = timezone.now()
    matter_role.ended_by = actor
    matter_role.end_reason = reason.strip()
    matter_role.save(update_fields=["ended_at", "ended_by", "end_reason"])
    record(
        Operation.ALTERATION,
        object_type="person",
        object_id=matter_role.person_id,
        fields=["roles"],
        actor=actor,
        context={"contact": matter_role.contact_id, "role": matter_role.role, "unlinked": True},
    )
    record_event(
        "person.unlinked",
        subject_type="person",
        subject_id=matter_role.person_id,
        data={"contact": matter_role.contact_id, "role": matter_role.role},
    )
    return matter_role
