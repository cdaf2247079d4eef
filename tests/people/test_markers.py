"""Markers: added with a source, reviewed, swept when due; restricted ones need a purpose."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cairn.audit.models import AuditEvent, Operation
from cairn.people.contact_queries import people_on_contact
from cairn.people.markers import add_marker, review_marker, sweep_markers
from cairn.people.models import Marker
from cairn.people.queries import person_view, reveal_marker
from cairn.people.services import match_contact
from tests.people.conftest import new_contact

pytestmark = pytest.mark.django_db


def test_a_marker_takes_its_review_date_and_restriction_from_the_policy(morag, handler):
    marker = add_marker(morag, kind="domestic_abuse_victim", source="Report CRN-1", actor=handler)
    assert marker.restricted
    assert marker.review_on == timezone.localdate() + timedelta(days=180)
    assert marker.added_by == handler


def test_a_marker_needs_a_known_kind_and_a_source(morag, handler):
    with pytest.raises(ValidationError) as error:
        add_marker(morag, kind="nonsense", source="", actor=handler)
    assert set(error.value.message_dict) == {"kind", "source"}


def test_the_sweep_flags_reviews_and_expires_markers(morag, handler):
    due = add_marker(morag, kind="older_person", source="Call", actor=handler)
    gone = add_marker(
        morag,
        kind="vulnerable_adult",
        source="Call",
        actor=handler,
        expires_on=timezone.localdate() + timedelta(days=2),
    )
    later = timezone.localdate() + timedelta(days=400)
    assert sweep_markers(later) == {"expired": 1, "review_due": 1}
    due.refresh_from_db()
    gone.refresh_from_db()
    assert due.status == Marker.Status.REVIEW_DUE
    assert gone.status == Marker.Status.EXPIRED
    assert sweep_markers(later) == {"expired": 0, "review_due": 0}


def test_a_review_keeps_or_withdraws(morag, handler):
    marker = add_marker(morag, kind="older_person", source="Call", actor=handler)
    kept = review_marker(
        marker, actor=handler, keep=True, next_review_on=date.today() + timedelta(days=30)
    )
    assert kept.status == Marker.Status.ACTIVE
    with pytest.raises(ValidationError):
        review_marker(marker, actor=handler, keep=False)
    withdrawn = review_marker(marker, actor=handler, keep=False, note="Moved away")
    assert withdrawn.status == Marker.Status.WITHDRAWN


def test_restricted_markers_are_hidden_until_a_purpose_is_stated(morag, handler):
    add_marker(morag, kind="older_person", source="Call", actor=handler)
    secret = add_marker(
        morag, kind="domestic_abuse_victim", source="MARAC", note="Partner barred", actor=handler
    )
    view = person_view(morag.pk, user=handler)
    labels = [m.label for m in view.markers]
    assert "Restricted marker" in labels and "Domestic abuse victim" not in labels
    with pytest.raises(PermissionDenied):
        reveal_marker(secret.pk, user=handler, purpose="  ")
    shown = reveal_marker(secret.pk, user=handler, purpose="Attending an incident at her address")
    assert shown.note == "Partner barred"
    audit = AuditEvent.objects.get(fields=["markers.restricted"])
    assert audit.purpose == "Attending an incident at her address"
    assert audit.actor_id == handler.pk


def test_each_read_of_a_person_writes_one_consultation(morag, handler):
    before = AuditEvent.objects.filter(
        operation=Operation.CONSULTATION, object_id=str(morag.pk)
    ).count()
    person_view(morag.pk, user=handler)
    contact = new_contact()
    match_contact(contact.pk)
    people_on_contact(contact, user=handler)
    after = AuditEvent.objects.filter(
        operation=Operation.CONSULTATION, object_id=str(morag.pk)
    ).count()
    assert after - before == 2


def test_the_contact_view_lists_the_persons_earlier_contacts(morag, handler):
    earlier = [new_contact(), new_contact()]
    for contact in earlier:
        match_contact(contact.pk)
    latest = new_contact()
    match_contact(latest.pk)
    linked = people_on_contact(latest, user=handler).linked[0]
    assert [c.pk for c in linked.recent] == [earlier[1].pk, earlier[0].pk]
