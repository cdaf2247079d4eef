"""Merge two records of one person, and undo it.

A merge moves the absorbed record's names (as aliases), identifiers,
addresses, roles, markers and possible matches to the survivor, and
remembers exactly which rows it moved (``Combination.moved``), so that an
undo moves those rows, and only those, back. The absorbed record is never
deleted: it points at the survivor until the merge is undone. Audited as
"combination" (DPA 2018 s.62) on both records.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cairn.accounts.roles import Capability
from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.events.services import record_event
from cairn.people.models import (
    Combination,
    Identifier,
    Marker,
    MatterRole,
    NameKind,
    Person,
    PersonAddress,
    PersonName,
    PossibleMatch,
)
from cairn.people.services import require

# Survivor fields a merge may fill in from the absorbed record (when empty).
FILLABLE = ("date_of_birth", "preferred_language", "interpreter_language", "preferred_channel")


def _lock_pair(survivor_id: int, absorbed_id: int) -> tuple[Person, Person]:
    """Both records as they are now, locked in id order (so two merges cannot deadlock)."""
    locked = Person.objects.select_for_update().filter(pk__in=[survivor_id, absorbed_id])
    people = {person.pk: person for person in locked.order_by("pk")}
    return people[survivor_id], people[absorbed_id]


def _move(model, rows, survivor: Person) -> list[int]:
    ids = [row.pk for row in rows]
    model.objects.filter(pk__in=ids).update(person=survivor)
    return ids


def _audit(operation_context: dict, actor: Any, *people: Person) -> None:
    for person in people:
        record(
            Operation.COMBINATION,
            object_type="person",
            object_id=person.pk,
            fields=["names", "identifiers", "addresses", "roles", "markers"],
            actor=actor,
            context=operation_context,
        )


@transaction.atomic
def merge_people(survivor: Person, absorbed: Person, *, actor: Any, reason: str) -> Combination:
    """Combine ``absorbed`` into ``survivor``; returns the Combination that can undo it."""
    require(actor, Capability.MANAGE_PEOPLE)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why these are the same person")})
    if survivor.pk == absorbed.pk:
        raise ValidationError(_("Choose two different records to merge."))
    survivor, absorbed = _lock_pair(survivor.pk, absorbed.pk)
    if survivor.merged_into_id or absorbed.merged_into_id:
        raise ValidationError(_("One of these records has already been merged into another."))

    held = set(Identifier.objects.filter(person=survivor).values_list("kind", "value"))
    identifiers = [
        i for i in Identifier.objects.filter(person=absorbed) if (i.kind, i.value) not in held
    ]
    active_roles = set(
        MatterRole.objects.filter(person=survivor, ended_at__isnull=True).values_list(
            "contact_id", "role"
        )
    )
    roles = [
        r
        for r in MatterRole.objects.filter(person=absorbed)
        if r.ended_at or (r.contact_id, r.role) not in active_roles
    ]
    possible_held = set(
        PossibleMatch.objects.filter(person=survivor).values_list("contact_id", flat=True)
    )
    possibles = [
        p
        for p in PossibleMatch.objects.filter(person=absorbed)
        if p.contact_id not in possible_held
    ]
    names = list(PersonName.objects.filter(person=absorbed))

    moved = {
        "names": [[n.pk, n.kind] for n in names],
        "identifiers": _move(Identifier, identifiers, survivor),
        "addresses": _move(PersonAddress, PersonAddress.objects.filter(person=absorbed), survivor),
        "roles": _move(MatterRole, roles, survivor),
        "markers": _move(Marker, Marker.objects.filter(person=absorbed), survivor),
        "possible_matches": _move(PossibleMatch, possibles, survivor),
    }
    PersonName.objects.filter(pk__in=[n.pk for n in names]).update(
        person=survivor, kind=NameKind.ALIAS
    )

    filled = {}
    for field in FILLABLE:
        if not getattr(survivor, field) and getattr(absorbed, field):
            filled[field] = getattr(absorbed, field)
            setattr(survivor, field, filled[field])
    new_needs = [need for need in absorbed.access_needs if need not in survivor.access_needs]
    if new_needs:
        survivor.access_needs = [*survivor.access_needs, *new_needs]
    moved["filled"] = {k: str(v) for k, v in filled.items()}
    moved["access_needs_added"] = new_needs
    survivor.save(update_fields=[*filled, "access_needs", "updated_at"])
    absorbed.merged_into = survivor
    absorbed.save(update_fields=["merged_into", "updated_at"])

    combination = Combination.objects.create(
        survivor=survivor, absorbed=absorbed, reason=reason.strip(), moved=moved, merged_by=actor
    )
    _audit(
        {"combination": combination.pk, "survivor": survivor.pk, "absorbed": absorbed.pk},
        actor,
        survivor,
        absorbed,
    )
    record_event(
        "person.merged",
        subject_type="person",
        subject_id=survivor.pk,
        data={"absorbed": absorbed.pk, "combination": combination.pk},
    )
    return combination


@transaction.atomic
def undo_combination(combination: Combination, *, actor: Any, reason: str) -> Combination:
    """Separate the two records again: the moved rows go back, the fill-ins are taken back."""
    require(actor, Capability.MANAGE_PEOPLE)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why these are not the same person")})
    combination = Combination.objects.select_for_update().get(pk=combination.pk)
    if combination.undone_at:
        raise ValidationError(_("This merge has already been undone."))
    survivor, absorbed = _lock_pair(combination.survivor_id, combination.absorbed_id)
    if survivor.merged_into_id:
        raise ValidationError(
            _("The surviving record has since been merged into another: undo that merge first.")
        )
    moved = combination.moved
    for model, key in (
        (Identifier, "identifiers"),
        (PersonAddress, "addresses"),
        (MatterRole, "roles"),
        (Marker, "markers"),
        (PossibleMatch, "possible_matches"),
    ):
        model.objects.filter(pk__in=moved.get(key, []), person=survivor).update(person=absorbed)
    for name_id, kind in moved.get("names", []):
        PersonName.objects.filter(pk=name_id, person=survivor).update(person=absorbed, kind=kind)

    changed = []
    for field, value in moved.get("filled", {}).items():
        if str(getattr(survivor, field)) == value:  # untouched since the merge
            setattr(survivor, field, Person._meta.get_field(field).get_default())
            changed.append(field)
    added_needs = set(moved.get("access_needs_added", []))
    if added_needs:
        survivor.access_needs = [n for n in survivor.access_needs if n not in added_needs]
        changed.append("access_needs")
    survivor.save(update_fields=[*changed, "updated_at"])
    absorbed.merged_into = None
    absorbed.save(update_fields=["merged_into", "updated_at"])

    combination.undone_at = timezone.now()
    combination.undone_by = actor
    combination.undo_reason = reason.strip()
    combination.save(update_fields=["undone_at", "undone_by", "undo_reason"])
    _audit(
        {
            "combination": combination.pk,
            "undone": True,
            "survivor": survivor.pk,
            "absorbed": absorbed.pk,
        },
        actor,
        survivor,
        absorbed,
    )
    record_event(
        "person.unmerged",
        subject_type="person",
        subject_id=survivor.pk,
        data={"absorbed": absorbed.pk, "combination": combination.pk},
    )
    return combination
