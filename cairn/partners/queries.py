"""Reads for partners: the directory, and referrals as each reader may see them.

Object-level isolation lives here. A partner user (or a partner's API client)
reads only referrals made to their own agency: every query is filtered by
the reader's agency before it looks for a reference, so another agency's
referral is simply not found (the pages and the API answer 404, never 403,
and say nothing about whether it exists). Police staff who work cases read
all referrals.

Reading a referral is a read of personal data: the portal and staff pages
write a consultation, the API (data leaving for the partner's system) a
disclosure, each naming the agency.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.cases.models import Case
from cairn.partners.models import (
    Agency,
    AgencyApiClient,
    AgencyMembership,
    PartnerService,
    Referral,
)

RESPOND_SCOPE = "referrals.respond"
SHARED_FIELDS = ["reason", "shared_name", "shared_phone", "shared_email", "case_reference"]


# Who is reading -------------------------------------------------------------------------------


def agency_of_user(user: Any) -> Agency | None:
    """The agency a partner user answers for; None for anyone else (or an inactive agency)."""
    if not has_capability(user, Capability.RESPOND_TO_REFERRALS):
        return None
    membership = (
        AgencyMembership.objects.select_related("agency")
        .filter(user_id=user.pk, agency__is_active=True)
        .first()
    )
    return membership.agency if membership else None


def agency_of_client(client: Any) -> Agency | None:
    """The agency an API client answers for, if it holds the "referrals.respond" scope."""
    if client is None or RESPOND_SCOPE not in (getattr(client, "scopes", None) or []):
        return None
    if not getattr(client, "is_active", False):
        return None
    link = (
        AgencyApiClient.objects.select_related("agency")
        .filter(client_id=client.pk, agency__is_active=True)
        .first()
    )
    return link.agency if link else None


def is_police_reader(user: Any) -> bool:
    return has_capability(user, Capability.WORK_CASES)


def _visible_to(user: Any) -> QuerySet[Referral]:
    """The referrals ``user`` may read at all: their agency's, or every one for police staff."""
    referrals = Referral.objects.select_related("agency", "service", "case")
    agency = agency_of_user(user)
    if agency is not None:
        return referrals.filter(agency=agency)
    if is_police_reader(user):
        return referrals
    raise PermissionDenied


# The directory --------------------------------------------------------------------------------


def directory(
    *, user: Any, service_type: str = "", division: str = "", text: str = ""
) -> list[PartnerService]:
    """Active services of active agencies, by type, by a division they cover, by words."""
    if not has_capability(user, Capability.USE_WORKSPACE):
        raise PermissionDenied
    services = PartnerService.objects.select_related("agency").filter(
        is_active=True, agency__is_active=True
    )
    if service_type:
        services = services.filter(service_type=service_type)
    if division:
        services = services.filter(_covers(division))
    if text:
        services = services.filter(
            Q(name__icontains=text)
            | Q(agency__name__icontains=text)
            | Q(eligibility__icontains=text)
        )
    return list(services.order_by("service_type", "agency__name", "name"))


def _covers(division: str) -> Q:
    """Services covering ``division``: listed in the service's areas, or in its agency's when
    the service lists none, or an agency that serves all of Scotland."""
    return Q(areas__contains=[division]) | Q(areas=[]) & (
        Q(agency__areas__contains=[division]) | Q(agency__areas=[])
    )


def services_for_case(case: Case) -> list[PartnerService]:
    """The services a case may be referred to: active, covering the case's division."""
    services = PartnerService.objects.select_related("agency").filter(
        is_active=True, agency__is_active=True
    )
    if case.division_id:
        services = services.filter(_covers(case.division_id))
    return list(services.order_by("service_type", "agency__name", "name"))


# Referrals in the workspace -------------------------------------------------------------------


def referrals_for(*, user: Any, status: str = "", case: Case | None = None) -> list[Referral]:
    """Referrals ``user`` may read, newest first; audited as one consultation."""
    referrals = _visible_to(user)
    if status:
        referrals = referrals.filter(status=status)
    if case is not None:
        referrals = referrals.filter(case=case)
    found = list(referrals.order_by("-made_at", "-pk")[:200])
    if found:
        record(
            Operation.CONSULTATION,
            object_type="referral_list",
            fields=["shared_name"],
            actor=user,
            context={"referrals": [referral.pk for referral in found], "status": status},
        )
    return found


def referral_for(reference: str, *, user: Any) -> Referral | None:
    """One referral by reference if ``user`` may read it, else None; audited when found."""
    referral = _visible_to(user).filter(reference=reference).first()
    if referral is None:
        return None
    record(
        Operation.CONSULTATION,
        object_type="referral",
        object_id=referral.pk,
        fields=SHARED_FIELDS,
        actor=user,
        context={"agency": referral.agency_id, "case": referral.case_id},
    )
    return referral


# Referrals over the API -----------------------------------------------------------------------


def _for_client(client: Any) -> tuple[Agency, QuerySet[Referral]]:
    agency = agency_of_client(client)
    if agency is None:
        raise PermissionDenied
    return agency, Referral.objects.select_related("agency", "service", "case").filter(
        agency=agency
    )


def referrals_for_client(*, client: Any, status: str = "", limit: int = 100) -> list[Referral]:
    """The client's agency's referrals, newest first; the names leave us: one disclosure row."""
    agency, referrals = _for_client(client)
    if status:
        referrals = referrals.filter(status=status)
    found = list(referrals.order_by("-made_at", "-pk")[:limit])
    if found:
        record(
            Operation.DISCLOSURE,
            object_type="referral_list",
            fields=SHARED_FIELDS,
            actor=None,
            context={
                "recipient_agency": agency.slug,
                "api_client": client.pk,
                "referrals": [referral.pk for referral in found],
            },
        )
    return found


def referral_for_client(reference: str, *, client: Any) -> Referral | None:
    """One of the client's agency's referrals, or None; a disclosure to that agency."""
    agency, referrals = _for_client(client)
    referral = referrals.filter(reference=reference).first()
    if referral is None:
        return None
    record(
        Operation.DISCLOSURE,
        object_type="referral",
        object_id=referral.pk,
        fields=SHARED_FIELDS,
        actor=None,
        context={"recipient_agency": agency.slug, "api_client": client.pk},
    )
    return referral
