"""Merging duplicates: everything moves to the survivor, and an undo moves exactly it back."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cairn.accounts.roles import Role
from cairn.audit.models import AuditEvent, Operation
from cairn.people.markers import add_marker
from cairn.people.merging import merge_people, undo_combination
from cairn.people.models import Combination, MatterRole, NameKind, Person
from cairn.people.services import match_contact, record_person
from tests.conftest import make_staff
from tests.people.conftest import new_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def duplicate(handler):
    return record_person(
        given_name="Morag",
        family_name="Stewart",
        phones=("0131 496 0500",),
        address="4 Easter Road",
        postcode="EH7 5QL",
        preferred_language="gd",
        actor=handler,
    )


def test_merge_moves_names_identifiers_addresses_roles_and_markers(morag, duplicate, handler):
    contact = new_contact(
        reporter_name="Morag Stewart", reporter_email="", reporter_phone="0131 496 0500"
    )
    match_contact(contact.pk)
    assert MatterRole.objects.get(contact=contact).person == duplicate
    add_marker(duplicate, kind="repeat_victim", source="Three reports this year", actor=handler)

    combination = merge_people(morag, duplicate, actor=handler, reason="Same person after marriage")

    duplicate.refresh_from_db()
    morag.refresh_from_db()
    assert duplicate.merged_into == morag
    assert MatterRole.objects.get(contact=contact).person == morag
    assert morag.markers.filter(kind="repeat_victim").exists()
    assert morag.identifiers.filter(value="+441314960500").exists()
    assert morag.addresses.filter(postcode="EH7 5QL").exists()
    assert morag.names.filter(family_name="Stewart", kind=NameKind.ALIAS).exists()
    assert morag.preferred_language == "gd"  # filled in: the survivor had none
    audits = AuditEvent.objects.filter(
        operation=Operation.COMBINATION, context__combination=combination.pk
    )
    assert {a.object_id for a in audits} == {str(morag.pk), str(duplicate.pk)}


def test_undo_puts_back_exactly_what_moved(morag, duplicate, handler):
    later_contact = new_contact()
    combination = merge_people(morag, duplicate, actor=handler, reason="Same person")
    match_contact(later_contact.pk)  # linked to the survivor after the merge: it stays there

    undo_combination(combination, actor=handler, reason="Different people: checked dates of birth")

    duplicate.refresh_from_db()
    morag.refresh_from_db()
    assert duplicate.merged_into is None
    assert set(duplicate.identifiers.values_list("value", flat=True)) == {"+441314960500"}
    assert duplicate.names.get().kind == NameKind.PRIMARY
    assert duplicate.addresses.get().postcode == "EH7 5QL"
    assert morag.preferred_language == ""
    assert not morag.names.filter(family_name="Stewart").exists()
    assert MatterRole.objects.get(contact=later_contact).person == morag
    combination.refresh_from_db()
    assert combination.undone_by == handler
    assert (
        AuditEvent.objects.filter(operation=Operation.COMBINATION, context__undone=True).count()
        == 2
    )


def test_a_merge_cannot_be_undone_twice_or_merged_twice(morag, duplicate, handler):
    combination = merge_people(morag, duplicate, actor=handler, reason="Same person")
    with pytest.raises(ValidationError):
        merge_people(morag, Person.objects.get(pk=duplicate.pk), actor=handler, reason="again")
    undo_combination(combination, actor=handler, reason="No")
    with pytest.raises(ValidationError):
        undo_combination(combination, actor=handler, reason="No")


def test_undo_waits_for_a_later_merge_of_the_survivor(morag, duplicate, handler):
    third = record_person(given_name="M", family_name="MacLeod", actor=handler)
    first = merge_people(morag, duplicate, actor=handler, reason="Same")
    merge_people(third, Person.objects.get(pk=morag.pk), actor=handler, reason="Same")
    with pytest.raises(ValidationError, match="undo that merge first"):
        undo_combination(first, actor=handler, reason="No")


def test_shared_identifiers_stay_once(morag, handler):
    same_phone = record_person(
        given_name="Morag", family_name="Macleod", phones=("07700 900123",), actor=handler
    )
    merge_people(morag, same_phone, actor=handler, reason="Same")
    assert morag.identifiers.filter(value="+447700900123").count() == 1


def test_merging_needs_a_reason_and_the_right_role(morag, duplicate, handler):
    with pytest.raises(ValidationError):
        merge_people(morag, duplicate, actor=handler, reason=" ")
    with pytest.raises(PermissionDenied):
        merge_people(morag, duplicate, actor=make_staff("analyst", Role.ANALYST), reason="Same")
    assert not Combination.objects.exists()
