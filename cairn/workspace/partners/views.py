"""The partner portal: a partner user's own agency's referrals, one referral, their answers.

Every read goes through ``cairn.partners.queries`` with ``user=``: a partner
sees only their agency's referrals, and another agency's reference is a 404,
exactly like one that does not exist. Police staff who work cases see every
referral on the same pages, with a form to withdraw an open one instead of
the partner's answers. A referral page shows what was disclosed (the reason,
the details shared, the case reference), never the case timeline.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import Operation, Outcome
from cairn.audit.services import record
from cairn.partners.models import ReferralStatus
from cairn.partners.queries import is_police_reader, referral_for, referrals_for
from cairn.partners.responses import (
    accept_referral,
    decline_referral,
    record_outcome,
    responder,
)
from cairn.partners.services import ReferralError, ReferralNotFound, withdraw_referral
from cairn.partners.taxonomy import outcome_label, service_type_label
from cairn.workspace.partners.forms import (
    DeclineForm,
    OutcomeForm,
    StatusFilterForm,
    WithdrawForm,
)

READERS = (Capability.RESPOND_TO_REFERRALS, Capability.WORK_CASES)


def require_any(request, capabilities, object_type: str = "referral") -> None:
    """403 (audited) unless the user holds one of ``capabilities``."""
    if not any(has_capability(request.user, capability) for capability in capabilities):
        record(Operation.ACCESS_DENIED, object_type=object_type, outcome=Outcome.DENIED)
        raise PermissionDenied


def _readable(request, reference: str):
    """The referral if this user may read it (audited); 404 for anyone else's."""
    require_any(request, READERS)
    try:
        referral = referral_for(reference[:24], user=request.user)
    except PermissionDenied:
        referral = None  # a partner user with no agency sees no referrals
    if referral is None:
        raise Http404
    return referral


@never_cache
def referral_list(request):
    """The agency's referrals (all referrals for police staff), newest first, by status."""
    require_any(request, READERS)
    form = StatusFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    try:
        referrals = referrals_for(user=request.user, status=status)
    except PermissionDenied:
        referrals = []
    form.describe_fields()
    return render(
        request,
        "workspace/partners/referrals.html",
        {
            "form": form,
            "referrals": [
                {"referral": r, "service_type": service_type_label(r.service.service_type)}
                for r in referrals
            ],
            "police": is_police_reader(request.user),
        },
    )


def _render_referral(request, referral, *, forms=None, status=200):
    forms = forms or {}
    police = is_police_reader(request.user)
    context = {
        "referral": referral,
        "service_type": service_type_label(referral.service.service_type),
        "outcome": outcome_label(referral.outcome_code) if referral.outcome_code else "",
        "police": police,
        "error": forms.get("error", ""),
        "just_made": request.method == "GET" and request.GET.get("made") == "1",
    }
    if police:
        if referral.is_open:
            context["withdraw_form"] = forms.get("withdraw") or WithdrawForm(prefix="withdraw")
    else:
        if referral.status == ReferralStatus.SENT:
            context["can_accept"] = True
            context["decline_form"] = forms.get("decline") or DeclineForm(prefix="decline")
        if referral.status == ReferralStatus.ACCEPTED:
            context["outcome_form"] = forms.get("outcome") or OutcomeForm(prefix="outcome")
    shown = [context.get(name) for name in ("withdraw_form", "decline_form", "outcome_form")]
    error_links = []
    for form in shown:
        if form is not None:
            form.describe_fields()
            if form.is_bound:
                error_links.extend(form.error_links())
    if context["error"]:
        error_links.insert(0, ("", context["error"]))
    context["error_links"] = error_links
    return render(request, "workspace/partners/referral.html", context, status=status)


@never_cache
def referral_page(request, reference: str):
    referral = _readable(request, reference)
    return _render_referral(request, referral)


def _back_to(referral) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("workspace:partners_referral", args=[referral.reference]))


def _answer(request, reference: str, act, form=None, form_name: str = ""):
    """Run a partner's answer; errors are shown on the referral page, 404 for others'."""
    require_any(request, (Capability.RESPOND_TO_REFERRALS,))
    try:
        by = responder(user=request.user)
    except PermissionDenied:
        raise Http404 from None
    if form is not None and not form.is_valid():
        referral = _readable(request, reference)
        return _render_referral(request, referral, forms={form_name: form}, status=400)
    try:
        referral = act(by)
    except ReferralNotFound:
        raise Http404 from None
    except ReferralError as refused:
        referral = _readable(request, reference)
        return _render_referral(request, referral, forms={"error": str(refused)}, status=409)
    except ValidationError as invalid:
        form.add_service_errors(invalid)
        referral = _readable(request, reference)
        return _render_referral(request, referral, forms={form_name: form}, status=400)
    return _back_to(referral)


@require_POST
def accept(request, reference: str):
    return _answer(request, reference, lambda by: accept_referral(reference, by=by))


@require_POST
def decline(request, reference: str):
    form = DeclineForm(request.POST, prefix="decline")
    return _answer(
        request,
        reference,
        lambda by: decline_referral(reference, reason=form.cleaned_data["reason"], by=by),
        form,
        "decline",
    )


@require_POST
def outcome(request, reference: str):
    form = OutcomeForm(request.POST, prefix="outcome")
    return _answer(
        request,
        reference,
        lambda by: record_outcome(
            reference,
            outcome=form.cleaned_data["outcome"],
            text=form.cleaned_data["text"],
            by=by,
        ),
        form,
        "outcome",
    )


@require_POST
def withdraw(request, reference: str):
    require_any(request, (Capability.WORK_CASES,))
    referral = _readable(request, reference)
    form = WithdrawForm(request.POST, prefix="withdraw")
    if not form.is_valid():
        return _render_referral(request, referral, forms={"withdraw": form}, status=400)
    try:
        withdraw_referral(referral, reason=form.cleaned_data["reason"], actor=request.user)
    except ReferralError as refused:
        return _render_referral(request, referral, forms={"error": str(refused)}, status=409)
    except ValidationError as invalid:
        form.add_service_errors(invalid)
        return _render_referral(request, referral, forms={"withdraw": form}, status=400)
    return _back_to(referral)
