"""The staff side: the directory of partner services, and "Refer to a partner" from a case.

The referral form is filled from the case's contact (the details the person
gave us, which the officer trims to what the agency needs) and offers only the
services covering the case's division. Opening it reads those details: one
audited consultation.
"""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from cairn.accounts.roles import Capability
from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.cases.models import Case
from cairn.partners.models import PartnerService
from cairn.partners.queries import directory, services_for_case
from cairn.partners.services import ReferralError, make_referral
from cairn.partners.taxonomy import service_type_label, service_types
from cairn.places.models import Division
from cairn.workspace.partners.forms import DirectorySearchForm, ReferralForm
from cairn.workspace.partners.views import require_any

REFERRERS = (Capability.WORK_CASES,)


def _areas(service: PartnerService, names: dict[str, str]) -> str:
    codes = service.covered_areas
    if not codes:
        return _("All of Scotland")
    return ", ".join(names.get(code, code) for code in codes)


def service_rows(services: list[PartnerService]) -> list[dict]:
    names = {division.code: str(division) for division in Division.objects.all()}
    kinds = service_types()
    return [
        {
            "service": service,
            "type": service_type_label(service.service_type),
            "description": kinds[service.service_type].description
            if service.service_type in kinds
            else "",
            "areas": _areas(service, names),
        }
        for service in services
    ]


@never_cache
def directory_page(request):
    """Partner services, searched by type, by area and by words (no personal data)."""
    require_any(
        request, (Capability.WORK_CASES, Capability.RESPOND_TO_REFERRALS), "partner_directory"
    )
    form = DirectorySearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    services = directory(
        user=request.user,
        service_type=filters.get("service_type", ""),
        division=filters.get("division", ""),
        text=filters.get("q", ""),
    )
    form.describe_fields()
    return render(
        request,
        "workspace/partners/directory.html",
        {"form": form, "rows": service_rows(services), "searched": form.is_bound},
    )


def _chosen_contact(request, case: Case):
    links = list(case.case_contacts.select_related("contact").order_by("added_at", "pk"))
    if len(links) == 1:
        return links[0].contact, links
    wanted = request.POST.get("contact") or request.GET.get("contact") or ""
    for link in links:
        if str(link.contact_id) == wanted:
            return link.contact, links
    return None, links


def _initial(contact) -> dict:
    if contact.anonymous:
        return {}
    return {
        "shared_name": contact.reporter_name,
        "shared_phone": contact.reporter_phone,
        "shared_email": contact.reporter_email,
    }


@never_cache
def refer(request, case_reference: str):
    """Refer a person on the case to a partner service, with their consent recorded."""
    require_any(request, REFERRERS, "case")
    case = Case.objects.filter(reference=case_reference[:24]).first()
    if case is None:
        raise Http404
    contact, links = _chosen_contact(request, case)
    context = {"case": case, "links": links, "contact": contact}
    if contact is None:
        return render(request, "workspace/partners/choose_contact.html", context)
    services = services_for_case(case)
    if request.method == "POST":
        form = ReferralForm(request.POST, services=services)
        if form.is_valid():
            try:
                referral = make_referral(
                    case, contact=contact, actor=request.user, **form.referral_fields()
                )
            except ValidationError as invalid:
                form.add_service_errors(invalid, aliases=ReferralForm.ALIASES)
            except ReferralError as refused:
                form.add_error(None, str(refused))
            else:
                return HttpResponseRedirect(
                    reverse("workspace:partners_referral", args=[referral.reference]) + "?made=1"
                )
    else:
        form = ReferralForm(services=services, initial=_initial(contact))
        record(
            Operation.CONSULTATION,
            object_type="contact",
            object_id=contact.pk,
            fields=["reporter_name", "reporter_phone", "reporter_email"],
            context={"case": case.pk, "for": "referral"},
        )
    form.describe_fields()
    context.update(
        {
            "form": form,
            "rows": service_rows(services),
            "error_links": form.error_links() if form.is_bound else [],
        }
    )
    return render(
        request, "workspace/partners/refer.html", context, status=400 if form.errors else 200
    )
