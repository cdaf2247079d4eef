"""Subject access: everything held, restricted items withheld; rectification keeps the old value."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from cairn.audit.models import AuditEvent, Operation
from cairn.audit.services import record
from cairn.people.markers import add_marker
from cairn.people.models import Rectification
from cairn.people.rectification import rectify_person
from cairn.people.services import match_contact
from cairn.people.subject_access import render_subject_access_html, subject_access_export
from tests.people.conftest import new_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(morag, handler):
    contact = new_contact(narrative="My bike was taken from the stair at Leith Walk.")
    match_contact(contact.pk)
    add_marker(morag, kind="older_person", source="Call", actor=handler)
    add_marker(
        morag, kind="domestic_abuse_victim", source="MARAC", note="Partner barred", actor=handler
    )
    record(
        Operation.DISCLOSURE,
        object_type="contact",
        object_id=contact.pk,
        fields=["narrative"],
        purpose="referral",
        context={"recipient": "Victim Support Scotland"},
    )
    return contact


def test_the_export_holds_records_contacts_and_disclosures(held, morag, officer_of_disclosure):
    export = subject_access_export(morag.pk, user=officer_of_disclosure)
    assert export["person"]["given_name"] == "Morag"
    assert [c["reference"] for c in export["contacts"]] == [held.reference]
    assert export["contacts"][0]["narrative"].startswith("My bike")
    assert {i["value"] for i in export["identifiers"]} >= {
        "+447700900123",
        "morag.macleod@example.org",
    }
    assert export["disclosures"][0]["recipient"] == "Victim Support Scotland"
    json.dumps(export)  # plain data all through


def test_restricted_markers_are_withheld(held, morag, officer_of_disclosure):
    export = subject_access_export(morag.pk, user=officer_of_disclosure)
    withheld = [m for m in export["markers"] if m.get("withheld")]
    assert len(withheld) == 1 and "note" not in withheld[0]
    assert export["withheld_items"] == 1
    assert "Partner barred" not in json.dumps(export)
    html = render_subject_access_html(export)
    assert "Victim Support Scotland" in html and "Partner barred" not in html


def test_the_export_is_audited_and_needs_the_role(held, morag, handler, officer_of_disclosure):
    with pytest.raises(PermissionDenied):
        subject_access_export(morag.pk, user=handler)
    subject_access_export(morag.pk, user=officer_of_disclosure)
    assert (
        AuditEvent.objects.filter(
            operation=Operation.CONSULTATION,
            fields=["subject_access_export"],
            object_id=str(morag.pk),
            actor_id=officer_of_disclosure.pk,
        ).count()
        == 1
    )


def test_the_command_writes_json_and_html(held, morag, officer_of_disclosure, tmp_path, handler):
    out = tmp_path / "export.json"
    call_command("subject_access", morag.pk, "--as", "disclosure", "--output", str(out))
    assert json.loads(out.read_text())["person"]["family_name"] == "MacLeod"
    page = tmp_path / "export.html"
    call_command(
        "subject_access", morag.pk, "--as", "disclosure", "--format", "html", "--output", str(page)
    )
    assert "<h1>Subject access export</h1>" in page.read_text()
    with pytest.raises(CommandError, match="may not export"):
        call_command("subject_access", morag.pk, "--as", "handler")


def test_rectification_keeps_the_old_value_and_updates_matching(morag, officer_of_disclosure):
    rectify_person(
        morag,
        field="family_name",
        value="MacLeòid",
        reason="Spelt as on her passport",
        actor=officer_of_disclosure,
    )
    morag.refresh_from_db()
    assert morag.family_name == "MacLeòid"
    assert morag.names.get(kind="primary").normalised == "morag macleoid"
    change = Rectification.objects.get()
    assert (change.old_value, change.new_value) == ("MacLeod", "MacLeòid")
    export = subject_access_export(morag.pk, user=officer_of_disclosure)
    assert export["corrections"][0]["was"] == "MacLeod"


def test_rectification_refuses_bad_values(morag, officer_of_disclosure):
    with pytest.raises(ValidationError) as error:
        rectify_person(
            morag,
            field="date_of_birth",
            value="14/05/1979",
            reason="typo",
            actor=officer_of_disclosure,
        )
    assert "YYYY-MM-DD" in str(error.value)
    with pytest.raises(ValidationError):
        rectify_person(
            morag, field="given_name", value="Morag", reason="same", actor=officer_of_disclosure
        )
    with pytest.raises(ValidationError):
        rectify_person(morag, field="password", value="x", reason="no", actor=officer_of_disclosure)


def test_a_corrected_name_is_what_the_birth_date_block_compares(morag, officer_of_disclosure):
    from cairn.people.identity import identity_of
    from cairn.people.matching import find_candidates

    rectify_person(
        morag, field="family_name", value="Stewart", reason="Married", actor=officer_of_disclosure
    )
    morag.refresh_from_db()
    assert morag.search_name == "morag stewart"
    found = find_candidates(identity_of(name="Morag Stewart", date_of_birth="1979-05-14"))
    assert [c.person_id for c in found] == [morag.pk]
