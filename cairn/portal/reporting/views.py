"""Online reporting: an emergency gate, then one question per page, check answers, send.

The questions are data (policy/forms/, read by cairn.contacts.report_forms);
these views only show them and call the services in cairn.contacts.drafts and
cairn.contacts.evidence. Every page works without JavaScript. The resume link
is the only key to a draft, so every draft page is marked never to be cached.
"""

import functools
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cairn.contacts.drafts import (
    DRAFT_LIFETIME,
    DraftIncomplete,
    DraftSubmitted,
    draft_files,
    draft_for_token,
    save_answer,
    start_draft,
    submit_draft,
)
from cairn.contacts.evidence import EvidenceRejected, remove_evidence, store_evidence
from cairn.contacts.models import ReportDraft
from cairn.contacts.report_forms import (
    Question,
    ReportForm,
    first_unanswered,
    load_forms,
    next_question,
    previous_question,
    validate_answer,
    visible_questions,
)
from cairn.contacts.report_questions import CHOICE_TYPES, TEXT_TYPES, display_answer, typed_value

SECRET_SESSION_KEY = "cairn_report_secret_{}"  # noqa: S105 (a session key name)
INPUT_TYPES = {"email": "email", "phone": "tel"}
INPUT_WIDTHS = {
    "postcode": "ds_input--fixed-10",
    "date": "ds_input--fixed-10",
    "time": "ds_input--fixed-10",
    "phone": "ds_input--fixed-20",
}
AUTOCOMPLETE = {"reporter_name": "name", "reporter_email": "email", "reporter_phone": "tel"}


def _language() -> str:
    return translation.get_language() or "en"


def _url(name: str, token: str, question_id: str = "", *, returning: bool = False) -> str:
    kwargs = {"token": token, **({"question_id": question_id} if question_id else {})}
    url = reverse(f"portal:reporting:{name}", kwargs=kwargs)
    return f"{url}?return=check" if returning else url


def _question_url(token: str, question: Question, *, returning: bool = False) -> str:
    return _url("question", token, question.id, returning=returning)


def with_draft(view):
    """Open the draft a resume link names, or show that the link has expired (404)."""

    @functools.wraps(view)
    @never_cache
    def wrapper(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        draft = draft_for_token(token)
        form = load_forms().get(draft.form_slug) if draft else None
        if draft is None or form is None:
            return render(
                request,
                "portal/report/expired.html",
                {"days": DRAFT_LIFETIME.days},
                status=404,
            )
        return view(request, draft, form, token, *args, **kwargs)

    return wrapper


def index(request: HttpRequest) -> HttpResponse:
    language = _language()
    forms = [
        {
            "title": form.title(language),
            "description": form.description(language),
            "url": reverse("portal:reporting:start", kwargs={"slug": form.slug}),
            "crime": form.category.startswith("crime."),
        }
        for form in load_forms().values()
    ]
    return render(request, "portal/report/index.html", {"forms": forms})


def emergency(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/report/emergency.html")


def start(request: HttpRequest, slug: str) -> HttpResponse:
    """The form's start page and the emergency gate: nothing is kept until it is passed."""
    form = load_forms().get(slug)
    if form is None:
        raise Http404
    error = ""
    if request.method == "POST":
        answer = request.POST.get("danger", "")
        if answer == "yes":
            return redirect("portal:reporting:emergency")
        if answer == "no":
            _draft, token = start_draft(form.slug, _language())
            return redirect(_question_url(token, next_question(form, {}, None)))
        error = _("Select yes if someone is in danger or a crime is happening now")
    language = _language()
    context = {
        "form_title": form.title(language),
        "description": form.description(language),
        "anonymous_allowed": form.anonymous_allowed,
        "evidence_allowed": form.evidence_allowed,
        "days": DRAFT_LIFETIME.days,
        "error": error,
    }
    return render(request, "portal/report/start.html", context)


@with_draft
def resume(request: HttpRequest, draft: ReportDraft, form: ReportForm, token: str) -> HttpResponse:
    if draft.contact_id:
        return redirect(_url("done", token))
    missing = first_unanswered(form, draft.answers)
    return redirect(_question_url(token, missing) if missing else _url("check", token))


def _after(
    form: ReportForm, draft: ReportDraft, token: str, question: Question, returning: bool
) -> str:
    """Where a saved answer leads: on, or back to check answers (via any new question)."""
    if returning:
        missing = first_unanswered(form, draft.answers)
        return _question_url(token, missing, returning=True) if missing else _url("check", token)
    following = next_question(form, draft.answers, question.id)
    return _question_url(token, following) if following else _url("check", token)


@with_draft
def question(
    request: HttpRequest, draft: ReportDraft, form: ReportForm, token: str, question_id: str
) -> HttpResponse:
    if draft.contact_id:
        return redirect(_url("done", token))
    asked = form.question(question_id)
    if asked is None or asked.id not in {q.id for q in visible_questions(form, draft.answers)}:
        return redirect(_url("resume", token))
    returning = request.GET.get("return") == "check"
    if asked.type == "file":
        return _file_question(request, draft, form, token, asked, returning)
    typed, error = None, None
    if request.method == "POST":
        if asked.type == "checkboxes":
            typed = request.POST.getlist(asked.id)
        else:
            typed = request.POST.get(asked.id, "")
        value, error = validate_answer(asked, typed, _language())
        leaving = request.POST.get("action") == "save"
        if error is None or leaving:
            try:
                if error is None:
                    save_answer(draft, asked.id, value)
            except DraftSubmitted:
                return redirect(_url("done", token))
            if leaving:
                return redirect(_url("saved", token))
            return redirect(_after(form, draft, token, asked, returning))
    context = _question_context(draft, form, token, asked, returning, typed, error)
    return render(request, "portal/report/question.html", context)


def _question_context(
    draft: ReportDraft,
    form: ReportForm,
    token: str,
    asked: Question,
    returning: bool,
    typed: Any,
    error: str | None,
) -> dict[str, Any]:
    language = _language()
    saved = draft.answers.get(asked.id)
    if typed is None:
        chosen = set(saved or []) if asked.type == "checkboxes" else {saved}
        value = typed_value(asked, saved) if asked.type not in {"radios", "yesno"} else ""
    else:
        chosen = set(typed) if isinstance(typed, list) else {typed}
        value = typed if isinstance(typed, str) else ""
    before = previous_question(form, draft.answers, asked.id)
    if returning:
        back = _url("check", token)
    elif before:
        back = _question_url(token, before)
    else:
        back = reverse("portal:reporting:start", kwargs={"slug": form.slug})
    hint = asked.hint(language)
    described = " ".join(
        item
        for item, shown in ((f"q-{asked.id}-hint", hint), (f"q-{asked.id}-error", error))
        if shown
    )
    return {
        "form_title": form.title(language),
        "question": asked,
        "label": asked.label(language),
        "hint": hint,
        "error": error,
        "described_by": described,
        "value": value,
        "options": [
            {
                "id": f"q-{asked.id}" if number == 1 else f"q-{asked.id}-{number}",
                "value": option.value,
                "label": option.label(language),
                "checked": option.value in chosen,
            }
            for number, option in enumerate(asked.options, start=1)
        ],
        "input_type": INPUT_TYPES.get(asked.type, "text"),
        "input_width": INPUT_WIDTHS.get(asked.type, "ds_input--fluid-three-quarters"),
        "autocomplete": AUTOCOMPLETE.get(asked.maps_to, "off"),
        "max_length": asked.longest,
        "back_url": back,
        "returning": returning,
        "files": draft_files(draft) if asked.type == "file" else [],
        "text_types": TEXT_TYPES,
        "choice_types": CHOICE_TYPES,
    }


def _file_question(
    request: HttpRequest,
    draft: ReportDraft,
    form: ReportForm,
    token: str,
    asked: Question,
    returning: bool,
) -> HttpResponse:
    """Files are added one per post and listed; Continue moves on with what is there."""
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "continue")
        upload = request.FILES.get(asked.id)
        if upload is not None:
            try:
                store_evidence(upload, draft=draft)
            except EvidenceRejected as rejected:
                error = rejected.message
        elif action == "upload":
            error = _("Choose a file to upload")
        if error is None:
            if action == "save":
                return redirect(_url("saved", token))
            if action == "upload":
                return redirect(request.get_full_path())
            try:
                save_answer(draft, asked.id, "")
            except DraftSubmitted:
                return redirect(_url("done", token))
            return redirect(_after(form, draft, token, asked, returning))
    context = _question_context(draft, form, token, asked, returning, None, error)
    context["remove_url"] = _url("remove_file", token, asked.id)
    return render(request, "portal/report/question.html", context)


@require_POST
@with_draft
def remove_file(
    request: HttpRequest, draft: ReportDraft, form: ReportForm, token: str, question_id: str
) -> HttpResponse:
    chosen = request.POST.get("file", "")
    for evidence in draft_files(draft):
        if str(evidence.pk) == chosen:
            try:
                remove_evidence(evidence, draft=draft)
            except EvidenceRejected:
                break
    returning = request.POST.get("return") == "check"
    return redirect(_url("question", token, question_id, returning=returning))


@with_draft
def saved(request: HttpRequest, draft: ReportDraft, form: ReportForm, token: str) -> HttpResponse:
    if draft.contact_id:
        return redirect(_url("done", token))
    context = {
        "form_title": form.title(_language()),
        "link": request.build_absolute_uri(_url("resume", token)),
        "expires_at": draft.expires_at,
        "continue_url": _url("resume", token),
    }
    return render(request, "portal/report/saved.html", context)


def _summary(form: ReportForm, draft: ReportDraft, token: str) -> list[dict[str, Any]]:
    language = _language()
    rows = []
    for shown in visible_questions(form, draft.answers):
        if shown.type == "file":
            values = [evidence.original_name for evidence in draft_files(draft)]
        else:
            values = display_answer(shown, draft.answers.get(shown.id), language)
        rows.append(
            {
                "id": shown.id,
                "label": shown.label(language),
                "values": values,
                "change_url": _question_url(token, shown, returning=True),
            }
        )
    return rows


@with_draft
def check(request: HttpRequest, draft: ReportDraft, form: ReportForm, token: str) -> HttpResponse:
    if draft.contact_id:
        return redirect(_url("done", token))
    missing = first_unanswered(form, draft.answers)
    if missing:
        return redirect(_question_url(token, missing, returning=True))
    if request.method == "POST":
        try:
            receipt = submit_draft(draft, _language())
        except DraftIncomplete as problem:
            return redirect(_url("question", token, problem.question_id, returning=True))
        if receipt.tracking_secret:
            request.session[SECRET_SESSION_KEY.format(draft.pk)] = receipt.tracking_secret
        return redirect(_url("done", token))
    context = {"form_title": form.title(_language()), "rows": _summary(form, draft, token)}
    return render(request, "portal/report/check.html", context)


@with_draft
def done(request: HttpRequest, draft: ReportDraft, form: ReportForm, token: str) -> HttpResponse:
    """The reference always; the tracking code once, straight after sending."""
    if not draft.contact_id:
        return redirect(_url("check", token))
    contact = draft.contact
    context = {
        "form_title": form.title(_language()),
        "reference": contact.reference,
        "anonymous": contact.anonymous,
        "preferred_contact": contact.preferred_contact,
        "secret": request.session.pop(SECRET_SESSION_KEY.format(draft.pk), None),
        "track_url": reverse("portal:track"),
    }
    return render(request, "portal/report/done.html", context)
