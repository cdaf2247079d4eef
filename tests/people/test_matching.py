"""Matching a contact's reporter: blocking in PostgreSQL, then the outcome it leads to."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cairn.audit.models import AuditEvent, Operation
from cairn.events.models import DomainEvent
from cairn.people.identity import identity_of
from cairn.people.matching import birth_dates_to_block, find_candidates, match_identity
from cairn.people.models import (
    ContactMatch,
    Identifier,
    LinkMethod,
    MatchOutcome,
    MatterRole,
    Person,
    PossibleMatch,
)
from cairn.people.services import match_contact, match_pending_contacts, record_person
from tests.people.conftest import new_contact

pytestmark = pytest.mark.django_db


def test_blocking_finds_by_phone_email_birth_date_or_postcode(morag):
    assert [c.person_id for c in find_candidates(identity_of(phones=["07700900123"]))] == [morag.pk]
    assert [
        c.person_id for c in find_candidates(identity_of(emails=["MORAG.MACLEOD@example.org"]))
    ] == [morag.pk]
    by_birth = identity_of(name="Morag Macleod", date_of_birth="1980-05-14")  # a year out
    assert [c.person_id for c in find_candidates(by_birth)] == [morag.pk]
    by_postcode = identity_of(name="Morag McLeod", postcode="EH6 5DT")
    assert [c.person_id for c in find_candidates(by_postcode)] == [morag.pk]


def test_blocking_on_birth_date_or_postcode_needs_a_similar_name(morag):
    assert find_candidates(identity_of(name="Xavier Quinn", date_of_birth="1979-05-14")) == []
    assert find_candidates(identity_of(name="Xavier Quinn", postcode="EH6 5DT")) == []


def test_blocking_is_one_call_and_its_query_uses_indexes(morag):
    from cairn.people.candidates_function import EXPLAINABLE_QUERY
    from cairn.people.matching import blocking_parameters
    from cairn.people.matching_policy import current_matching_policy

    identity = identity_of(
        name="Morag MacLeod", phones=["07700900123"], postcode="EH6 5DT", date_of_birth="1979-05-14"
    )
    with CaptureQueriesContext(connection) as queries:
        find_candidates(identity)
    assert len(queries) == 1
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(
            "EXPLAIN " + EXPLAINABLE_QUERY,
            blocking_parameters(identity, current_matching_policy()),
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    for index in ("identifier_lookup", "person_address_pc_cover", "person_live_dob_name"):
        assert index in plan


def test_merged_records_are_never_candidates(morag, handler):
    twin = record_person(
        given_name="Morag", family_name="MacLeod", phones=("07700900124",), actor=handler
    )
    Person.objects.filter(pk=twin.pk).update(merged_into=morag)
    assert [c.person_id for c in find_candidates(identity_of(phones=["07700900124"]))] == []


def test_birth_dates_to_block_include_swaps_and_years_either_side():
    from datetime import date

    assert birth_dates_to_block(date(1979, 5, 4)) == [
        date(1979, 5, 4),
        date(1979, 4, 5),
        date(1978, 5, 4),
        date(1980, 5, 4),
    ]
    assert date(2023, 2, 28) in birth_dates_to_block(date(2024, 2, 29))


def test_two_strong_candidates_are_left_to_the_handler(morag, handler):
    record_person(
        given_name="Morag",
        family_name="MacLeod",
        date_of_birth="1979-05-14",
        emails=("morag.macleod@example.org",),
        actor=handler,
    )
    result = match_identity(identity_of(name="Morag MacLeod", emails=["morag.macleod@example.org"]))
    assert result.confident is None
    assert len(result.possible) == 2


def test_a_repeat_reporter_is_linked_automatically_with_reasons(morag):
    contact = new_contact()
    outcome = match_contact(contact.pk)
    assert outcome.outcome == MatchOutcome.LINKED
    role = MatterRole.objects.get(contact=contact)
    assert role.person == morag
    assert role.method == LinkMethod.AUTOMATIC
    assert "same phone number" in role.match_reasons
    assert DomainEvent.objects.filter(name="person.linked", subject_id=str(morag.pk)).exists()
    assert AuditEvent.objects.filter(
        operation=Operation.COMBINATION, object_type="person", object_id=str(morag.pk)
    ).exists()


def test_matching_twice_links_once(morag):
    contact = new_contact()
    first = match_contact(contact.pk)
    second = match_contact(contact.pk)
    assert first.outcome == second.outcome == MatchOutcome.LINKED
    assert MatterRole.objects.filter(contact=contact).count() == 1


def test_a_new_phone_number_is_added_to_the_linked_person(morag):
    contact = new_contact(reporter_phone="0131 496 0000")
    assert match_contact(contact.pk).outcome == MatchOutcome.LINKED  # by the email
    assert Identifier.objects.filter(person=morag, value="+441314960000").exists()


def test_an_uncertain_match_becomes_possible_matches_not_a_link(morag):
    contact = new_contact(
        reporter_email="", reporter_phone="", reporter_details={"postcode": "EH6 5DT"}
    )
    outcome = match_contact(contact.pk)
    assert outcome.outcome == MatchOutcome.POSSIBLE
    assert not MatterRole.objects.filter(contact=contact).exists()
    possible = PossibleMatch.objects.get(contact=contact)
    assert possible.person == morag
    assert "same postcode" in possible.reasons


def test_someone_new_gets_a_new_person_record(db):
    contact = new_contact(reporter_name="Dr Ailsa Fraser", reporter_email="ailsa@example.org")
    assert match_contact(contact.pk).outcome == MatchOutcome.NEW_PERSON
    person = MatterRole.objects.get(contact=contact).person
    assert (person.given_name, person.family_name) == ("Ailsa", "Fraser")
    assert set(person.identifiers.values_list("value", flat=True)) == {
        "ailsa@example.org",
        "+447700900123",
    }


def test_an_anonymous_contact_is_not_matched(morag):
    contact = new_contact(anonymous=True, reporter_name="", reporter_email="", reporter_phone="")
    assert match_contact(contact.pk).outcome == MatchOutcome.NO_IDENTITY
    assert not MatterRole.objects.filter(contact=contact).exists()


def test_the_periodic_pass_matches_each_waiting_contact_once(morag):
    contacts = [
        new_contact(),
        new_contact(
            reporter_name="Ailsa Fraser", reporter_email="a@example.org", reporter_phone=""
        ),
    ]
    assert match_pending_contacts() == 2
    assert match_pending_contacts() == 0
    assert ContactMatch.objects.filter(contact__in=contacts).count() == 2


def test_a_text_with_only_a_number_offers_whoever_holds_it(morag):
    contact = new_contact(reporter_name="", reporter_email="", channel="sms")
    assert match_contact(contact.pk).outcome == MatchOutcome.POSSIBLE
    assert PossibleMatch.objects.get(contact=contact).person == morag


def test_a_new_address_is_placed_by_its_postcode(handler, divisions, tmp_path):
    from cairn.places.postcodes import load_postcodes
    from tests.places.directory_files import write_directory

    load_postcodes(everything=True, directory=write_directory(tmp_path))
    person = record_person(given_name="Iain", family_name="Gunn", postcode="eh1 1yz", actor=handler)
    address = person.addresses.get()
    assert address.postcode == "EH1 1YZ"
    assert address.latitude is not None and address.longitude is not None


def test_whoever_shares_the_phone_comes_before_a_crowd_born_that_day(handler):
    """The cut at max_candidates keeps phone and email matches first (a placeholder
    date of birth shared by many records must not push the phone's owner out)."""
    for number in range(60):
        record_person(
            given_name="Morag",
            family_name=f"MacLeod{number}",
            date_of_birth="1900-01-01",
            actor=handler,
        )
    owner = record_person(
        given_name="Morag", family_name="MacLeod", phones=("0131 496 0999",), actor=handler
    )
    identity = identity_of(name="Morag MacLeod", date_of_birth="1900-01-01", phones=["01314960999"])
    found = [c.person_id for c in find_candidates(identity)]
    assert len(found) == 50
    assert owner.pk in found


def test_a_family_name_alone_finds_the_record_in_search(handler):
    from cairn.people.queries import search_people

    long_name = record_person(
        given_name="Mary Elizabeth Catherine", family_name="MacLeod-Stewart", actor=handler
    )
    record_person(given_name="Ailsa", family_name="Fraser", actor=handler)
    assert search_people("Stewart", user=handler) == [long_name]
