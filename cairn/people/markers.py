"""Writes for markers: add, review, withdraw, and the daily expiry and review sweep."""

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cairn.accounts.roles import Capability
from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.events.services import record_event
from cairn.people.marker_kinds import marker_kinds
from cairn.people.models import Marker, Person
from cairn.people.services import require

LIVE = (Marker.Status.ACTIVE, Marker.Status.REVIEW_DUE)


@transaction.atomic
def add_marker(
    person: Person,
    *,
    kind: str,
    source: str,
    actor: Any,
    note: str = "",
    restricted: bool | None = None,
    review_on: date | None = None,
    expires_on: date | None = None,
) -> Marker:
    require(actor, Capability.MANAGE_PEOPLE)
    kinds = marker_kinds()
    errors = {}
    if kind not in kinds:
        errors["kind"] = _("Choose the kind of marker")
    if not source.strip():
        errors["source"] = _("Say where this information comes from")
    today = timezone.localdate()
    if review_on and review_on <= today:
        errors["review_on"] = _("The review date must be in the future")
    if expires_on and expires_on <= today:
        errors["expires_on"] = _("The expiry date must be in the future")
    if errors:
        raise ValidationError(errors)
    if person.merged_into_id:
        raise ValidationError(_("That record was merged into another: add the marker there."))
    marker_kind = kinds[kind]
    review_on = review_on or today + timedelta(days=marker_kind.review_days)
    if expires_on and review_on > expires_on:
        review_on = expires_on
    marker = Marker.objects.create(
        person=person,
        kind=kind,
        source=source.strip(),
        note=note.strip(),
        restricted=marker_kind.restricted if restricted is None else restricted,
        review_on=review_on,
        expires_on=expires_on,
        added_by=actor if getattr(actor, "pk", None) else None,
    )
    record(
        Operation.COLLECTION,
        object_type="person",
        object_id=person.pk,
        fields=["markers"],
        actor=actor,
        context={"marker": marker.pk, "kind": kind, "restricted": marker.restricted},
    )
    record_event(
        "person.marker_added",
        subject_type="person",
        subject_id=person.pk,
        data={"marker": marker.pk, "kind": kind},
    )
    return marker


@transaction.atomic
def review_marker(
    marker: Marker, *, actor: Any, keep: bool, next_review_on: date | None = None, note: str = ""
) -> Marker:
    """A reviewer keeps the marker (until the next review) or withdraws it."""
    require(actor, Capability.MANAGE_PEOPLE)
    marker = Marker.objects.select_for_update().get(pk=marker.pk)
    if marker.status not in LIVE:
        raise ValidationError(_("This marker is no longer active."))
    today = timezone.localdate()
    if keep:
        next_review_on = next_review_on or today + timedelta(
            days=marker_kinds()[marker.kind].review_days if marker.kind in marker_kinds() else 180
        )
        if next_review_on <= today:
            raise ValidationError({"review_on": _("The next review date must be in the future")})
        marker.review_on = next_review_on
        marker.status = Marker.Status.ACTIVE
    else:
        if not note.strip():
            raise ValidationError({"note": _("Say why the marker is withdrawn")})
        marker.status = Marker.Status.WITHDRAWN
    if note.strip():
        marker.note = f"{marker.note}\n{note.strip()}".strip()
    marker.reviewed_at = timezone.now()
    marker.reviewed_by = actor
    marker.save(update_fields=["review_on", "status", "note", "reviewed_at", "reviewed_by"])
    record(
        Operation.ALTERATION,
        object_type="person",
        object_id=marker.person_id,
        fields=["markers"],
        actor=actor,
        context={"marker": marker.pk, "status": marker.status},
    )
    record_event(
        "person.marker_reviewed",
        subject_type="person",
        subject_id=marker.person_id,
        data={"marker": marker.pk, "status": marker.status},
    )
    return marker


@transaction.atomic
def sweep_markers(today: date | None = None) -> dict[str, int]:
    """Expire markers past their expiry date; flag those past their review date."""
    today = today or timezone.localdate()
    expired = list(
        Marker.objects.select_for_update(skip_locked=True)
        .filter(status__in=LIVE, expires_on__lte=today)
        .values_list("pk", "person_id")
    )
    Marker.objects.filter(pk__in=[pk for pk, _ in expired]).update(status=Marker.Status.EXPIRED)
    due = list(
        Marker.objects.select_for_update(skip_locked=True)
        .filter(status=Marker.Status.ACTIVE, review_on__lte=today)
        .values_list("pk", "person_id")
    )
    Marker.objects.filter(pk__in=[pk for pk, _ in due]).update(status=Marker.Status.REVIEW_DUE)
    for pk, person_id in expired:
        record(
            Operation.ALTERATION,
            object_type="person",
            object_id=person_id,
            fields=["markers"],
            context={"marker": pk, "status": "expired"},
        )
    for pk, person_id in due:
        record(
            Operation.ALTERATION,
            object_type="person",
            object_id=person_id,
            fields=["markers"],
            context={"marker": pk, "status": "review_due"},
        )
    if expired or due:
        record_event(
            "people.markers_swept",
            subject_type="marker",
            subject_id="",
            data={"expired": len(expired), "review_due": len(due)},
        )
    return {"expired": len(expired), "review_due": len(due)}
