"""Everything held on a person, for a subject access request (UK GDPR art. 15).

The export gathers the record, the names, identifiers and addresses, the
roles on matters with the contacts themselves (what the person told us,
and metadata of the evidence they sent, never the files), markers, merges,
corrections and the disclosures made to others with their recipients.
Restricted markers are redacted (listed as withheld, with the ground):
that is the "restriction flag" a disclosure officer reviews before release.
"""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import AuditEvent, Operation
from cairn.audit.services import record
from cairn.contacts.models import Contact, Evidence
from cairn.people.marker_kinds import marker_label
from cairn.people.models import Combination, Marker, MatterRole, Person

EXPORT_VERSION = 1


def _iso(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _contact(contact: Contact, evidence: list[Evidence]) -> dict:
    return {
        "reference": contact.reference,
        "channel": contact.channel,
        "received_at": _iso(contact.received_at),
        "language": contact.language,
        "reason": contact.reason,
        "category": contact.category,
        "status": contact.status,
        "anonymous": contact.anonymous,
        "reporter_name": contact.reporter_name,
        "reporter_email": contact.reporter_email,
        "reporter_phone": contact.reporter_phone,
        "narrative": contact.narrative,
        "answers": contact.answers,
        "location": {"address": contact.address_text, "postcode": contact.postcode},
        "evidence": [
            {
                "file_name": item.original_name,
                "content_type": item.content_type,
                "size_bytes": item.size,
                "sha256": item.sha256,
                "uploaded_at": _iso(item.uploaded_at),
                "scan_status": item.scan_status,
            }
            for item in evidence
        ],
    }


def _marker(marker: Marker) -> dict:
    if marker.restricted:
        return {
            "withheld": True,
            "ground": _("Restricted marker: withheld pending review by the disclosure officer"),
            "added_at": _iso(marker.added_at),
        }
    return {
        "kind": marker.kind,
        "label": marker_label(marker.kind),
        "source": marker.source,
        "note": marker.note,
        "status": marker.status,
        "added_at": _iso(marker.added_at),
        "review_on": _iso(marker.review_on),
        "expires_on": _iso(marker.expires_on),
    }


def _disclosures(person_ids: list[int], contact_ids: list[int]) -> list[dict]:
    rows = AuditEvent.objects.filter(
        Q(object_type="person", object_id__in=[str(i) for i in person_ids])
        | Q(object_type="contact", object_id__in=[str(i) for i in contact_ids]),
        operation=Operation.DISCLOSURE,
    ).order_by("occurred_at")
    return [
        {
            "disclosed_at": _iso(row.occurred_at),
            "recipient": (row.context or {}).get("recipient", ""),
            "purpose": row.purpose,
            "what": row.fields,
            "about": f"{row.object_type} {row.object_id}",
        }
        for row in rows
    ]


def subject_access_export(person_id: int, *, user: Any) -> dict:
    """The whole export as plain JSON-ready data. Audited as one consultation."""
    if not has_capability(user, Capability.SUBJECT_ACCESS):
        raise PermissionDenied(_("Your role does not allow subject access exports."))
    person = Person.objects.get(pk=person_id)
    absorbed = list(Person.objects.filter(merged_into=person).values_list("pk", flat=True))
    person_ids = [person.pk, *absorbed]
    roles = list(
        MatterRole.objects.filter(person_id__in=person_ids)
        .select_related("contact")
        .order_by("linked_at")
    )
    contacts = {role.contact_id: role.contact for role in roles}
    evidence: dict[int, list[Evidence]] = {}
    for item in Evidence.objects.filter(contact_id__in=contacts).order_by("uploaded_at"):
        evidence.setdefault(item.contact_id, []).append(item)
    export = {
        "export_version": EXPORT_VERSION,
        "generated_at": _iso(timezone.now()),
        "person": {
            "id": person.pk,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "date_of_birth": _iso(person.date_of_birth),
            "preferred_language": person.preferred_language,
            "access_needs": person.access_needs,
            "interpreter_language": person.interpreter_language,
            "preferred_channel": person.preferred_channel,
            "preferred_times": person.preferred_times,
            "consents_to_updates": person.consents_to_updates,
            "merged_into": person.merged_into_id,
            "created_at": _iso(person.created_at),
        },
        "names": [
            {"kind": n.kind, "given_name": n.given_name, "family_name": n.family_name}
            for n in person.names.order_by("pk")
        ],
        "identifiers": [
            {"kind": i.kind, "value": i.value, "first_seen_at": _iso(i.first_seen_at)}
            for i in person.identifiers.order_by("pk")
        ],
        "addresses": [
            {"address": a.address_text, "postcode": a.postcode, "current": a.is_current}
            for a in person.addresses.order_by("pk")
        ],
        "roles": [
            {
                "contact": role.contact.reference,
                "role": role.role,
                "linked_at": _iso(role.linked_at),
                "how": role.method,
                "ended_at": _iso(role.ended_at),
            }
            for role in roles
        ],
        "contacts": [_contact(c, evidence.get(pk, [])) for pk, c in sorted(contacts.items())],
        "markers": [
            _marker(m) for m in Marker.objects.filter(person_id__in=person_ids).order_by("added_at")
        ],
        "corrections": [
            {
                "field": r.field,
                "was": r.old_value,
                "now": r.new_value,
                "reason": r.reason,
                "at": _iso(r.rectified_at),
            }
            for r in person.rectifications.all()
        ],
        "merges": [
            {
                "merged_record": c.absorbed_id,
                "merged_at": _iso(c.merged_at),
                "undone_at": _iso(c.undone_at),
            }
            for c in Combination.objects.filter(Q(survivor=person) | Q(absorbed=person)).order_by(
                "merged_at"
            )
        ],
        "disclosures": _disclosures(person_ids, list(contacts)),
    }
    export["withheld_items"] = sum(1 for m in export["markers"] if m.get("withheld"))
    record(
        Operation.CONSULTATION,
        object_type="person",
        object_id=person.pk,
        fields=["subject_access_export"],
        actor=user,
        purpose="subject access request",
        context={"contacts": len(contacts), "withheld": export["withheld_items"]},
    )
    return export


def _sections(export: dict) -> list:
    return [
        (title, export.get(key) or [])
        for key, title in (
            ("names", _("Names")),
            ("identifiers", _("Phone numbers and email addresses")),
            ("addresses", _("Addresses")),
            ("roles", _("Roles on matters")),
            ("markers", _("Markers")),
            ("corrections", _("Corrections")),
            ("merges", _("Merged records")),
            ("disclosures", _("Disclosures")),
        )
    ]


def render_subject_access_html(export: dict) -> str:
    """A readable, self-contained HTML document of the export (prints well to PDF)."""
    context = {"export": export, "sections": _sections(export)}
    return render_to_string("people/subject_access.html", context)


def render_subject_access_body(export: dict) -> str:
    """The document's content without its page and heading, to show inside another page."""
    context = {"export": export, "sections": _sections(export)}
    return render_to_string("people/_subject_access_body.html", context)
