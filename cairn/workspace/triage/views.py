"""The live queue and the triage page: claim, cues, THRIVE, the decision and what follows.

Views are thin: they check the triage capability, call ``cairn.triage``'s
queries and services, and show the services' errors on the forms. Every POST
that succeeds redirects back to the page (so a reload never repeats it).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import Operation, Outcome
from cairn.audit.services import record
from cairn.contacts.call_services import CALL_CATEGORIES
from cairn.contacts.models import Channel, Contact
from cairn.contacts.report_forms import load_forms
from cairn.live.tokens import events_url_for
from cairn.triage import decisions, queries, services
from cairn.triage.models import Cue, CueStatus, NextStepKind
from cairn.triage.policy import current_policy
from cairn.workspace.people.contact_views import contact_people_context
from cairn.workspace.triage.forms import (
    DIMENSION_LABELS,
    DismissCueForm,
    QueueFilterForm,
    RegradeForm,
    ResponseForm,
    ThriveForm,
    TransferForm,
)
from cairn.workspace.triage.next_step_links import next_step_links
from cairn.workspace.triage.queue_rows import RowTexts, rows_html


def _require_handler(request) -> None:
    if not has_capability(request.user, Capability.TRIAGE):
        record(Operation.ACCESS_DENIED, object_type="triage", outcome=Outcome.DENIED)
        raise PermissionDenied


def category_label(code: str) -> str:
    if code in CALL_CATEGORIES:
        return str(CALL_CATEGORIES[code])
    language = translation.get_language() or "en"
    for form in load_forms().values():
        if form.category == code:
            return form.title(language)
    return code


# The queue ---------------------------------------------------------------------------------


def _queue_context(request) -> dict:
    # New contacts get their cues before they are drawn, so their order is right.
    services.raise_pending_cues(limit=25)
    form = QueueFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {"team": None, "division": None, "channel": None}
    entries = queries.open_queue(request.user, **filters)
    texts = RowTexts.for_page(
        user=request.user,
        csrf_token=get_token(request),
        policy=current_policy(),
        category_label=category_label,
    )
    query = request.GET.urlencode()
    return {
        "form": form.describe_fields(),
        "count": len(entries),
        "rows_html": rows_html(entries, texts),
        "query": query,
        "table_url": reverse("workspace:triage:queue_table") + (f"?{query}" if query else ""),
        "refresh_url": reverse("workspace:triage:queue") + (f"?{query}" if query else ""),
    }


def queue(request):
    _require_handler(request)
    context = _queue_context(request)
    context["events_url"] = events_url_for(request)
    return render(request, "workspace/triage/queue.html", context)


def queue_table(request):
    """The queue's table alone, with the same filters, for the live page to swap in."""
    _require_handler(request)
    return render(request, "workspace/triage/_queue_table.html", _queue_context(request))


@require_POST
def claim(request, contact_id: int):
    _require_handler(request)
    contact = _contact_or_404(contact_id)
    try:
        services.claim_contact(contact, request.user)
    except services.TriageError as refusal:
        messages.warning(request, str(refusal))
        return redirect("workspace:triage:queue")
    return redirect("workspace:triage:contact", contact_id=contact.pk)


@require_POST
def release(request, contact_id: int):
    _require_handler(request)
    contact = _contact_or_404(contact_id)
    try:
        services.release_claim(contact, request.user)
    except services.TriageError as refusal:
        messages.warning(request, str(refusal))
        return redirect("workspace:triage:contact", contact_id=contact.pk)
    messages.info(request, _("%(reference)s is back in the queue.") % {"reference": contact})
    return redirect("workspace:triage:queue")


# The triage page ---------------------------------------------------------------------------


def _contact_or_404(contact_id: int) -> Contact:
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        raise Http404
    return contact


def _answer_rows(contact: Contact) -> list[tuple[str, str]]:
    """The report form's answers under their questions' labels (in the handler's language)."""
    if not contact.answers:
        return []
    language = translation.get_language() or "en"
    form = next((f for f in load_forms().values() if f.category == contact.category), None)
    rows = []
    for question_id, value in contact.answers.items():
        question = form.question(question_id) if form else None
        values = value if isinstance(value, list) else [value]
        if question is not None:
            label = question.label(language)
            shown = [question.option_label(str(item), language) for item in values]
        else:
            label, shown = question_id, [str(item) for item in values]
        rows.append((label, ", ".join(shown)))
    return rows


def _cue_label(policy, kind: str) -> str:
    return str(policy.cue_kinds[kind].label) if kind in policy.cue_kinds else kind


def _render_contact(request, contact_id: int, *, status: int = 200, **bound_forms):
    """The triage page; ``bound_forms`` are the posted forms to show with their errors."""
    contact = queries.contact_for_triage(contact_id, request.user)
    if contact is None:
        raise Http404
    policy = current_policy()
    claim = queries.claim_of(contact)
    mine = claim is not None and claim.handler_id == request.user.pk
    decision = queries.current_decision(contact)
    assessment = queries.latest_assessment(contact)
    cues = queries.cues_of(contact)
    cue_forms = bound_forms.pop("cue_forms", {})
    context = {
        "contact": contact,
        "policy": policy,
        "category": category_label(contact.category),
        "channel": Channel(contact.channel).label
        if contact.channel in Channel.values
        else contact.channel,
        "answers": _answer_rows(contact),
        "claim": claim,
        "mine": mine,
        "decision": decision,
        "assessment": assessment,
        "dimension_labels": DIMENSION_LABELS,
        "cues": [
            {
                "cue": cue,
                "label": _cue_label(policy, cue.kind),
                "form": (cue_forms.get(cue.pk) or DismissCueForm(prefix=f"cue-{cue.pk}"))
                if mine and cue.status == CueStatus.RAISED
                else None,
            }
            for cue in cues
        ],
        "timeline": queries.timeline(contact, request.user),
        "next_step_labels": dict(NextStepKind.choices),
        **contact_people_context(request, contact),
    }
    if decision is None and mine:
        context["thrive_form"] = bound_forms.get("thrive_form") or ThriveForm(
            prefix="thrive", initial=_assessment_initial(assessment)
        )
    if decision is None and assessment is not None:
        suggestion = queries.suggestion_for(contact, assessment)
        suggested = f"{suggestion.grade}:{suggestion.pathway}"
        context["suggestion"] = suggestion
        context["suggestion_label"] = _response_label(policy, suggestion.grade, suggestion.pathway)
        if mine:
            context["decision_form"] = bound_forms.get("decision_form") or ResponseForm(
                prefix="decision",
                policy=policy,
                suggested=suggested,
                initial={"response": suggested},
            )
    if decision is not None:
        context["decision_label"] = _response_label(policy, decision.grade, decision.pathway)
        context["regrade_form"] = bound_forms.get("regrade_form") or RegradeForm(
            prefix="regrade", policy=policy
        )
        context["transfer_form"] = bound_forms.get("transfer_form") or TransferForm(
            prefix="transfer"
        )
        context["next_step_links"] = next_step_links(contact, getattr(decision, "next_step", None))
    forms_with_errors = [
        form
        for form in (
            context.get("thrive_form"),
            context.get("decision_form"),
            context.get("regrade_form"),
            context.get("transfer_form"),
            *cue_forms.values(),
        )
        if form is not None and form.is_bound and form.errors
    ]
    for form in forms_with_errors:
        form.describe_fields()
    context["error_links"] = [link for form in forms_with_errors for link in form.error_links()]
    return render(request, "workspace/triage/contact.html", context, status=status)


def _response_label(policy, grade: str, pathway: str) -> str:
    if grade in policy.grades and pathway in policy.pathways:
        return f"{policy.grades[grade].label} – {policy.pathways[pathway].label}"
    return f"{grade} – {pathway}"


def _assessment_initial(assessment) -> dict:
    """A new assessment starts from the last one, so a re-assessment changes what changed."""
    if assessment is None:
        return {}
    fields = [name for name in DIMENSION_LABELS for name in (name, f"{name}_note")]
    return {name: getattr(assessment, name) for name in [*fields, "rationale"]}


def contact_page(request, contact_id: int):
    _require_handler(request)
    return _render_contact(request, contact_id)


def _act(request, contact_id: int, form, form_name: str, action, anchor: str, aliases=None):
    """Run ``action(contact, data)``; on a refusal show the page again with the form's errors."""
    contact = _contact_or_404(contact_id)
    if form.is_valid():
        try:
            action(contact, form)
        except ValidationError as error:
            form.add_service_errors(error, aliases)
        except services.TriageError as refusal:
            messages.warning(request, str(refusal))
            return redirect("workspace:triage:contact", contact_id=contact.pk)
        else:
            url = reverse("workspace:triage:contact", kwargs={"contact_id": contact.pk})
            return redirect(f"{url}#{anchor}")
    return _render_contact(request, contact_id, **{form_name: form})


@require_POST
def assess(request, contact_id: int):
    _require_handler(request)
    form = ThriveForm(request.POST, prefix="thrive")
    return _act(
        request,
        contact_id,
        form,
        "thrive_form",
        lambda contact, form: services.assess_contact(
            contact, request.user, form.levels_and_notes(), form.cleaned_data["rationale"]
        ),
        anchor="suggestion",
    )


@require_POST
def decide(request, contact_id: int):
    _require_handler(request)
    form = ResponseForm(request.POST, prefix="decision", policy=current_policy())

    def action(contact, form):
        grade, pathway = form.grade_and_pathway()
        decisions.decide(contact, request.user, grade, pathway, form.cleaned_data["rationale"])
        messages.info(
            request, _("Decided. %(reference)s has left the queue.") % {"reference": contact}
        )

    return _act(request, contact_id, form, "decision_form", action, "decision", form.SERVICE_FIELDS)


@require_POST
def regrade(request, contact_id: int):
    _require_handler(request)
    form = RegradeForm(request.POST, prefix="regrade", policy=current_policy())

    def action(contact, form):
        grade, pathway = form.grade_and_pathway()
        decisions.regrade(contact, request.user, grade, pathway, form.cleaned_data["rationale"])

    return _act(request, contact_id, form, "regrade_form", action, "decision", form.SERVICE_FIELDS)


@require_POST
def transfer(request, contact_id: int):
    _require_handler(request)
    form = TransferForm(request.POST, prefix="transfer")
    return _act(
        request,
        contact_id,
        form,
        "transfer_form",
        lambda contact, form: decisions.transfer(
            contact, request.user, form.cleaned_data["department"], form.cleaned_data["rationale"]
        ),
        anchor="decision",
    )


@require_POST
def dismiss_cue(request, contact_id: int, cue_id: int):
    _require_handler(request)
    cue = Cue.objects.filter(pk=cue_id, contact_id=contact_id).select_related("contact").first()
    if cue is None:
        raise Http404
    form = DismissCueForm(request.POST, prefix=f"cue-{cue.pk}")
    contact = cue.contact
    if form.is_valid():
        try:
            services.dismiss_cue(cue, request.user, form.cleaned_data["note"])
        except ValidationError as error:
            form.add_service_errors(error)
        except services.TriageError as refusal:
            messages.warning(request, str(refusal))
            return redirect("workspace:triage:contact", contact_id=contact.pk)
        else:
            url = reverse("workspace:triage:contact", kwargs={"contact_id": contact.pk})
            return redirect(f"{url}#cues")
    return _render_contact(request, contact.pk, cue_forms={cue.pk: form})
