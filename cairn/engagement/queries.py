"""Reads for feedback: what the tracking page needs, and the staff's survey results and complaints.

Staff reads need READ_FEEDBACK (supervisors, analysts, engagement officers).
The survey summary holds counts and means only; the complaints list holds
references and dates; a complaint's page holds the person's words and contact
details, so reading it is audited as a consultation.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.cases.queries import case_for_contact
from cairn.contacts.models import Channel, Contact
from cairn.engagement.models import Complaint, Measure, PersonMessage, SurveyResponse


def _require(user: Any) -> None:
    if not has_capability(user, Capability.READ_FEEDBACK):
        raise PermissionDenied


# For the tracking page -------------------------------------------------------------------------


def survey_is_open(contact: Contact) -> bool:
    """Whether the person may answer the closure survey now: their case is closed."""
    case = case_for_contact(contact)
    return case is not None and case.is_closed


def survey_answered(contact: Contact) -> bool:
    return SurveyResponse.objects.filter(contact=contact).exists()


def message_already_sent(form_token: str) -> bool:
    return PersonMessage.objects.filter(form_token=form_token).exists()


def complaint_for_contact(contact: Contact, reference: str) -> Complaint | None:
    """The person's own complaint by its reference (for their confirmation page)."""
    return Complaint.objects.filter(contact=contact, reference=reference).first()


# For staff --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureResult:
    measure: str
    label: str
    answers: int  # scored answers (not "not applicable")
    mean: float | None


@dataclass(frozen=True)
class ChannelResults:
    channel: str
    label: str
    responses: int
    measures: list[MeasureResult]


def survey_results(*, user: Any) -> list[ChannelResults]:
    """Per channel of the contact: how many answered, and per measure the count and mean."""
    _require(user)
    aggregates: dict[str, Any] = {"responses": Count("pk")}
    for measure in Measure.values:
        aggregates[f"{measure}__n"] = Count(measure)
        aggregates[f"{measure}__mean"] = Avg(measure)
    rows = SurveyResponse.objects.values("channel").annotate(**aggregates).order_by("channel")
    labels = dict(Channel.choices)
    return [
        ChannelResults(
            channel=row["channel"],
            label=str(labels.get(row["channel"], row["channel"])),
            responses=row["responses"],
            measures=[
                MeasureResult(
                    measure=measure,
                    label=str(label),
                    answers=row[f"{measure}__n"],
                    mean=round(row[f"{measure}__mean"], 2)
                    if row[f"{measure}__mean"] is not None
                    else None,
                )
                for measure, label in Measure.choices
            ],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class ComplaintRow:
    pk: int
    reference: str
    received_at: datetime
    contact_reference: str
    case_reference: str
    acknowledged: bool


def complaints(*, user: Any, limit: int = 200) -> list[ComplaintRow]:
    """The newest complaints, references and dates only (no one's words)."""
    _require(user)
    rows = Complaint.objects.select_related("contact", "case").order_by("-received_at", "-pk")[
        :limit
    ]
    return [
        ComplaintRow(
            pk=complaint.pk,
            reference=complaint.reference,
            received_at=complaint.received_at,
            contact_reference=complaint.contact.reference,
            case_reference=complaint.case.reference if complaint.case else "",
            acknowledged=complaint.acknowledged,
        )
        for complaint in rows
    ]


def complaint_detail(complaint_id: int, *, user: Any) -> Complaint | None:
    """One complaint with the person's words and contact details; the read is audited."""
    _require(user)
    complaint = Complaint.objects.select_related("contact", "case").filter(pk=complaint_id).first()
    if complaint is None:
        return None
    record(
        Operation.CONSULTATION,
        object_type="complaint",
        object_id=complaint.pk,
        fields=["what_happened", "put_right", "contact_email", "contact_phone"],
        actor=user,
    )
    return complaint
