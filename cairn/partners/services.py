"""Police-side writes for referrals: make one (with consent or a stated basis), withdraw it.

Each is one transaction holding the case's row lock: the referral, the case
timeline (an internal entry naming the agency, and for a new referral a public
one that does not), the audit row (a new referral is a DISCLOSURE naming the
recipient agency and the fields shared), the domain event, the triage next
step marked done and the webhook delivery queued. Who may act: WORK_CASES.

The partner's answers are in ``cairn.partners.responses``.
"""

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.cases.models import (
    MAX_UPDATE_LENGTH,
    Case,
    CaseContact,
    UpdateKind,
    Visibility,
)
from cairn.cases.notifications import reporter_of, tell_the_person
from cairn.cases.writing import write_update
from cairn.contacts.models import Contact
from cairn.events.services import record_event
from cairn.partners import webhooks
from cairn.partners.models import (
    MAX_REASON_LENGTH,
    Agency,
    ConsentMethod,
    LawfulBasis,
    PartnerService,
    Referral,
    ReferralStatus,
)
from cairn.partners.taxonomy import service_type_label
from cairn.triage.models import NextStepKind
from cairn.triage.next_steps import complete_next_step

PUBLIC_TEXT_CODE = "referral_made"
PUBLIC_TEXT = "We have referred you to a support service."


class ReferralError(Exception):
    """A referral action refused for a reason the user can act on; ``str()`` says it."""


class ReferralNotFound(ReferralError):
    """No such referral for this reader (another agency's is not found either)."""


def _require_case_worker(actor: Any) -> None:
    if not has_capability(actor, Capability.WORK_CASES):
        raise PermissionDenied


def clean_text(text: str, field: str, required_message: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise ValidationError({field: required_message})
    if len(cleaned) > MAX_REASON_LENGTH:
        raise ValidationError(
            {
                field: _("Keep it under %(max)d characters (this has %(count)d).")
                % {"max": MAX_REASON_LENGTH, "count": len(cleaned)}
            }
        )
    return cleaned


def write_case_update(case: Case, *, text: str, visibility: str, author: Any, code: str = ""):
    """Append a referral entry to the case timeline (append-only, as cases.services does)."""
    return write_update(
        case,
        text=text[:MAX_UPDATE_LENGTH],
        text_code=code,
        visibility=visibility,
        kind=UpdateKind.REFERRAL,
        author=author,
    )


def referral_event(name: str, referral: Referral, **data: Any) -> None:
    record_event(
        name,
        subject_type="referral",
        subject_id=referral.pk,
        division=referral.case.division_id or "",
        data={
            "case": referral.case_id,
            "agency": referral.agency_id,
            "service_type": referral.service.service_type,
            **data,
        },
    )


def _lawful_basis_errors(
    lawful_basis: str, consent_given: bool | None, consent_method: str, basis_explanation: str
) -> dict[str, str]:
    if lawful_basis not in LawfulBasis.values:
        return {"lawful_basis": _("Say whether the person consented to the referral.")}
    if lawful_basis == LawfulBasis.CONSENT:
        if consent_given is not True:
            return {
                "consent_given": _(
                    "Without the person's consent, choose another lawful basis and explain it, "
                    "or do not refer."
                )
            }
        if consent_method not in ConsentMethod.values:
            return {"consent_method": _("Say how the person gave their consent.")}
        return {}
    if not (basis_explanation or "").strip():
        return {"basis_explanation": _("Explain why sharing without consent is lawful here.")}
    return {}


def _check_service(service: PartnerService, case: Case) -> PartnerService:
    service = PartnerService.objects.select_related("agency").get(pk=service.pk)
    if not (service.is_active and service.agency.is_active):
        raise ValidationError({"service": _("That service no longer takes referrals.")})
    areas = service.covered_areas
    if case.division_id and areas and case.division_id not in areas:
        raise ValidationError(
            {"service": _("That service does not cover this case's division. Choose another.")}
        )
    return service


def make_referral(
    case: Case,
    *,
    contact: Contact,
    service: PartnerService,
    reason: str,
    lawful_basis: str,
    consent_given: bool | None,
    consent_method: str = "",
    basis_explanation: str = "",
    shared_name: str = "",
    shared_phone: str = "",
    shared_email: str = "",
    actor: Any,
) -> Referral:
    """Refer the person on a case's contact to a partner service.

    Refused without recorded consent unless another lawful basis is chosen and
    explained. ``shared_*`` are exactly what the agency will see of the person.
    """
    _require_case_worker(actor)
    reason = clean_text(reason, "reason", _("Say why you are referring the person."))
    errors = _lawful_basis_errors(lawful_basis, consent_given, consent_method, basis_explanation)
    shared = {
        "shared_name": (shared_name or "").strip()[:200],
        "shared_phone": (shared_phone or "").strip()[:40],
        "shared_email": (shared_email or "").strip()[:254],
    }
    if not (shared["shared_phone"] or shared["shared_email"]):
        errors["shared_phone"] = _(
            "Give the agency a way to reach the person: a phone number or an email address."
        )
    if errors:
        raise ValidationError(errors)
    consented = lawful_basis == LawfulBasis.CONSENT
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
        if case.is_closed:
            raise ReferralError(
                _("%(reference)s is closed: it takes no more referrals.")
                % {"reference": case.reference}
            )
        if not CaseContact.objects.filter(case=case, contact_id=contact.pk).exists():
            raise ValidationError({"contact": _("Choose a contact on this case.")})
        service = _check_service(service, case)
        now = timezone.now()
        referral = Referral(
            case=case,
            contact_id=contact.pk,
            person=reporter_of(contact),
            service=service,
            agency=service.agency,
            reason=reason,
            lawful_basis=lawful_basis,
            basis_explanation="" if consented else basis_explanation.strip()[:MAX_REASON_LENGTH],
            consent_given=bool(consent_given),
            consent_method=consent_method if consented else "",
            consent_recorded_by=actor if consented else None,
            consent_recorded_at=now if consented else None,
            made_by=actor,
            made_at=now,
            **shared,
        )
        referral.save(force_insert=True)
        referral.refresh_from_db(fields=["reference"])
        agency = service.agency
        write_case_update(
            case,
            text=_(
                "Referral %(reference)s sent to %(agency)s (%(service)s). Lawful basis: %(basis)s."
            )
            % {
                "reference": referral.reference,
                "agency": agency.name,
                "service": service_type_label(service.service_type),
                "basis": referral.get_lawful_basis_display(),
            },
            visibility=Visibility.INTERNAL,
            author=actor,
        )
        public = write_case_update(
            case,
            text=PUBLIC_TEXT,
            code=PUBLIC_TEXT_CODE,
            visibility=Visibility.PUBLIC,
            author=None,
        )
        tell_the_person(case, template="case_updated", event_key=f"case-update:{public.pk}")
        record(
            Operation.DISCLOSURE,
            object_type="referral",
            object_id=referral.pk,
            fields=["reason", *(name for name, value in shared.items() if value)],
            actor=actor,
            purpose=referral.get_lawful_basis_display(),
            context={
                "recipient_agency": agency.slug,
                "agency": agency.pk,
                "case": case.pk,
                "contact": contact.pk,
                "lawful_basis": lawful_basis,
            },
        )
        referral_event(
            "referral.made",
            referral,
            lawful_basis=lawful_basis,
            consent_method=referral.consent_method,
        )
        complete_next_step(contact, NextStepKind.REFERRAL)
        webhooks.enqueue(referral, "referral.made")
        return referral


def withdraw_referral(referral: Referral, *, reason: str, actor: Any) -> Referral:
    """The police withdraw a referral still open (sent or accepted); the agency is told."""
    _require_case_worker(actor)
    reason = clean_text(reason, "reason", _("Say why you are withdrawing the referral."))
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("agency", "service", "case")
            .get(pk=referral.pk)
        )
        if not referral.is_open:
            raise ReferralError(
                _("%(reference)s is %(status)s: it can no longer be withdrawn.")
                % {"reference": referral.reference, "status": referral.get_status_display()}
            )
        referral.status = ReferralStatus.WITHDRAWN
        referral.withdrawn_at = timezone.now()
        referral.withdrawn_by = actor
        referral.withdraw_reason = reason
        referral.save(update_fields=["status", "withdrawn_at", "withdrawn_by", "withdraw_reason"])
        write_case_update(
            referral.case,
            text=_("Referral %(reference)s to %(agency)s withdrawn: %(reason)s")
            % {"reference": referral.reference, "agency": referral.agency.name, "reason": reason},
            visibility=Visibility.INTERNAL,
            author=actor,
        )
        record(
            Operation.ALTERATION,
            object_type="referral",
            object_id=referral.pk,
            fields=["status", "withdrawn_at", "withdrawn_by", "withdraw_reason"],
            actor=actor,
            context={"recipient_agency": referral.agency.slug},
        )
        referral_event("referral.withdrawn", referral)
        webhooks.enqueue(referral, "referral.withdrawn")
        return referral


@transaction.atomic
def new_webhook_secret(agency: Agency) -> str:
    """Give the agency a new signing secret and return it (shown once, to pass to the agency)."""
    secret = f"whsec_{secrets.token_urlsafe(32)}"
    Agency.objects.filter(pk=agency.pk).update(webhook_secret=secret)
    agency.webhook_secret = secret
    record(
        Operation.ALTERATION, object_type="agency", object_id=agency.pk, fields=["webhook_secret"]
    )
    return secret
