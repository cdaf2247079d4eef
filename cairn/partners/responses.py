"""The partner's answers to a referral: accept, decline with a reason, record the outcome.

A partner answers as a user of the portal (RESPOND_TO_REFERRALS and a
membership of the agency) or as the agency's API client (the
"referrals.respond" scope and a link to the agency). Either way the referral
is looked up among that agency's referrals only: another agency's reference is
``ReferralNotFound``, exactly like a reference that does not exist.

Each answer is one transaction: the referral row locked and changed, an
internal entry on the case timeline (partners do not hold WORK_CASES, so the
entry is written here, not through cases.services), an audit row and an event.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.cases.models import Visibility
from cairn.partners.models import Agency, Referral, ReferralStatus
from cairn.partners.queries import agency_of_client, agency_of_user
from cairn.partners.services import (
    ReferralError,
    ReferralNotFound,
    clean_text,
    referral_event,
    write_case_update,
)
from cairn.partners.taxonomy import outcome_codes, outcome_label


@dataclass(frozen=True)
class Responder:
    """Who answers for the agency: a portal user, or the agency's API client."""

    agency: Agency
    user: Any = None
    client: Any = None

    @property
    def via(self) -> str:
        return "api" if self.client is not None else "portal"

    def audit_context(self) -> dict[str, Any]:
        context: dict[str, Any] = {"agency": self.agency.pk, "via": self.via}
        if self.client is not None:
            context["api_client"] = self.client.pk
        return context


def responder(*, user: Any = None, client: Any = None) -> Responder:
    """The responder for a user or an API client; PermissionDenied if they answer for no agency."""
    if client is not None:
        agency = agency_of_client(client)
        if agency is None:
            raise PermissionDenied
        return Responder(agency=agency, client=client)
    agency = agency_of_user(user)
    if agency is None:
        raise PermissionDenied
    return Responder(agency=agency, user=user)


def _locked(reference: str, by: Responder) -> Referral:
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("agency", "service", "case")
        .filter(reference=reference, agency=by.agency)
        .first()
    )
    if referral is None:
        raise ReferralNotFound(_("No referral %(reference)s.") % {"reference": reference})
    return referral


def _refused(referral: Referral, action: str) -> ReferralError:
    return ReferralError(
        _("%(reference)s is %(status)s: it cannot be %(action)s.")
        % {
            "reference": referral.reference,
            "status": referral.get_status_display().lower(),
            "action": action,
        }
    )


def _answered(referral: Referral, by: Responder, fields: list[str], text: str) -> None:
    referral.responded_at = timezone.now()
    referral.responded_by = by.user
    referral.save(update_fields=[*fields, "responded_at", "responded_by"])
    write_case_update(referral.case, text=text, visibility=Visibility.INTERNAL, author=by.user)
    record(
        Operation.ALTERATION,
        object_type="referral",
        object_id=referral.pk,
        fields=[*fields, "responded_at", "responded_by"],
        actor=by.user,
        context=by.audit_context(),
    )


def accept_referral(reference: str, *, by: Responder) -> Referral:
    """The agency takes the referral on. Accepting it again changes nothing."""
    with transaction.atomic():
        referral = _locked(reference, by)
        if referral.status == ReferralStatus.ACCEPTED:
            return referral
        if referral.status != ReferralStatus.SENT:
            raise _refused(referral, _("accepted"))
        referral.status = ReferralStatus.ACCEPTED
        _answered(
            referral,
            by,
            ["status"],
            _("%(agency)s accepted referral %(reference)s.")
            % {"agency": by.agency.name, "reference": referral.reference},
        )
        referral_event("referral.accepted", referral, via=by.via)
        return referral


def decline_referral(reference: str, *, reason: str, by: Responder) -> Referral:
    """The agency will not take the referral on, and says why."""
    reason = clean_text(reason, "reason", _("Say why the referral is declined."))
    with transaction.atomic():
        referral = _locked(reference, by)
        if referral.status != ReferralStatus.SENT:
            raise _refused(referral, _("declined"))
        referral.status = ReferralStatus.DECLINED
        referral.decline_reason = reason
        _answered(
            referral,
            by,
            ["status", "decline_reason"],
            _("%(agency)s declined referral %(reference)s: %(reason)s")
            % {"agency": by.agency.name, "reference": referral.reference, "reason": reason},
        )
        referral_event("referral.declined", referral, via=by.via)
        return referral


def record_outcome(reference: str, *, outcome: str, text: str = "", by: Responder) -> Referral:
    """How the referral ended for the agency: a code from the policy and a few words."""
    if outcome not in outcome_codes():
        raise ValidationError({"outcome": _("Choose the outcome from the list.")})
    text = (text or "").strip()
    if text:
        text = clean_text(text, "text", "")
    with transaction.atomic():
        referral = _locked(reference, by)
        if referral.status != ReferralStatus.ACCEPTED:
            if referral.status == ReferralStatus.SENT:
                raise ReferralError(_("Accept the referral before recording its outcome."))
            raise _refused(referral, _("given an outcome"))
        referral.status = ReferralStatus.OUTCOME_RECORDED
        referral.outcome_code = outcome
        referral.outcome_text = text
        referral.outcome_recorded_at = timezone.now()
        summary = _("%(agency)s recorded the outcome of referral %(reference)s: %(outcome)s.") % {
            "agency": by.agency.name,
            "reference": referral.reference,
            "outcome": outcome_label(outcome),
        }
        _answered(
            referral,
            by,
            ["status", "outcome_code", "outcome_text", "outcome_recorded_at"],
            f"{summary} {text}".strip(),
        )
        referral_event("referral.outcome_recorded", referral, via=by.via, outcome=outcome)
        return referral
