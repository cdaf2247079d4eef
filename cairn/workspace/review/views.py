"""Supervisor quality review: the reviews waiting, one review, feedback, the measure, policies.

Supervisor pages need the review capability; "My feedback" needs the triage
capability (every handler reads their own). Views call the triage review
queries and services: the queries audit what they show.
"""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import Operation, Outcome
from cairn.audit.services import record
from cairn.contacts.models import Channel
from cairn.triage.models import THRIVE_DIMENSIONS, Decision
from cairn.triage.policy import current_policy
from cairn.triage.review_queries import (
    feedback_for,
    policy_version_diff,
    policy_versions,
    quality_measure,
    review_detail,
    reviews_waiting,
)
from cairn.triage.review_services import mark_feedback_read, record_review
from cairn.workspace.review.forms import PolicyDiffForm, QualityPeriodForm, ReviewForm

DIMENSION_LABELS = {
    "threat": gettext_lazy("Threat"),
    "harm": gettext_lazy("Harm"),
    "risk": gettext_lazy("Risk"),
    "investigation": gettext_lazy("Investigation"),
    "vulnerability": gettext_lazy("Vulnerability"),
    "engagement": gettext_lazy("Engagement"),
}


def _require(request, capability: Capability, object_type: str) -> None:
    if not has_capability(request.user, capability):
        record(Operation.ACCESS_DENIED, object_type=object_type, outcome=Outcome.DENIED)
        raise PermissionDenied


def _policy_labels() -> dict[str, str]:
    """Grade, pathway and cue kind codes -> their labels under the current policy."""
    policy = current_policy()
    return {
        **{code: str(kind.label) for code, kind in policy.cue_kinds.items()},
        **{code: str(pathway.label) for code, pathway in policy.pathways.items()},
        **{code: str(grade.label) for code, grade in policy.grades.items()},
    }


def _response(decision: Decision, labels: dict[str, str], *, suggested: bool = False) -> dict:
    grade = decision.suggested_grade if suggested else decision.grade
    pathway = decision.suggested_pathway if suggested else decision.pathway
    return {"grade": labels.get(grade, grade), "pathway": labels.get(pathway, pathway)}


# The reviews waiting -----------------------------------------------------------------------


def waiting(request):
    _require(request, Capability.REVIEW_TRIAGE, "quality_review")
    labels = _policy_labels()
    rows = [
        {"review": review, "response": _response(review.decision, labels)}
        for review in reviews_waiting(request.user)
    ]
    return render(request, "workspace/review/waiting.html", {"rows": rows})


# One review --------------------------------------------------------------------------------


def _add_errors(form: ReviewForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def review(request, review_id: int):
    _require(request, Capability.REVIEW_TRIAGE, "quality_review")
    detail = review_detail(review_id, request.user)
    if detail is None:
        raise Http404
    may_post = request.method == "POST" and detail.may_review
    form = ReviewForm(request.POST if may_post else None)
    status = 200
    if request.method == "POST" and not detail.may_review:
        status = 409  # the page says why: their own decision, or already reviewed
    if may_post and form.is_valid():
        try:
            record_review(detail.review, request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Review of %(reference)s recorded. The handler will see your feedback.")
                % {"reference": detail.contact.reference},
            )
            return redirect("workspace:review:waiting")
    form.describe_fields()
    return render(
        request, "workspace/review/review.html", _review_context(detail, form), status=status
    )


def _review_context(detail, form: ReviewForm) -> dict[str, Any]:
    labels = _policy_labels()
    decision, assessment, contact = detail.decision, detail.assessment, detail.contact
    superseded = decision.supersedes
    return {
        "detail": detail,
        "contact": contact,
        "channel": Channel(contact.channel).label if contact.channel in Channel.values else "",
        "assessment": assessment,
        "levels": [
            {
                "label": DIMENSION_LABELS[name],
                "level": getattr(assessment, f"get_{name}_display")(),
                "note": getattr(assessment, f"{name}_note"),
            }
            for name in THRIVE_DIMENSIONS
        ],
        "cues": [{"cue": cue, "label": labels.get(cue.kind, cue.kind)} for cue in detail.cues],
        "decision": decision,
        "decided": _response(decision, labels),
        "suggested": _response(decision, labels, suggested=True),
        "superseded": _response(superseded, labels) if superseded else None,
        "form": form,
        "questions": [form[name] for name in ReviewForm.QUESTIONS],
        "recorded": [
            (form[name].label, getattr(detail.review, f"get_{name}_display")())
            for name in ReviewForm.QUESTIONS
        ]
        + [(form["feedback"].label, detail.review.feedback)],
    }


# My feedback -------------------------------------------------------------------------------


def feedback(request):
    """The handler's reviewed decisions; showing them marks the new ones read."""
    _require(request, Capability.TRIAGE, "quality_review_feedback")
    reviews = feedback_for(request.user)
    labels = _policy_labels()
    rows = []
    for item in reviews:
        rows.append(
            {
                "review": item,
                "new": item.feedback_read_at is None,
                "response": _response(item.decision, labels),
            }
        )
        if item.feedback_read_at is None:
            mark_feedback_read(item, request.user)
    return render(request, "workspace/review/feedback.html", {"rows": rows})


# The quality measure -----------------------------------------------------------------------


def _london_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.1f}%"


def _table(counts) -> dict[str, Any]:
    return {
        "label": counts.label,
        "total": counts.total,
        "cells": [
            {"code": code, "count": count, "percent": _percent(rate)}
            for code, _label, count, rate in counts.rows()
        ],
    }


def quality(request):
    _require(request, Capability.REVIEW_TRIAGE, "quality_measure")
    form = QualityPeriodForm(request.GET)
    form.describe_fields()
    context: dict[str, Any] = {"form": form, "measure": None}
    if not form.is_bound or form.is_valid():
        since, until, division = form.period()
        measure = quality_measure(
            _london_midnight(since), _london_midnight(until + timedelta(days=1)), division or None
        )
        context.update(
            measure=measure,
            since=since,
            until=until,
            division_name=dict(form.fields["division"].choices).get(division, ""),
            by_reason_and_all=[
                *(_table(counts) for counts in measure.by_reason.values()),
                _table(measure.overall),
            ],
            by_question=[_table(counts) for counts in measure.by_question.values()],
            outcomes=[row[1] for row in measure.overall.rows()],
        )
    return render(request, "workspace/review/quality.html", context)


# Policy versions ---------------------------------------------------------------------------


def policy(request):
    _require(request, Capability.REVIEW_TRIAGE, "policy_version")
    versions = policy_versions(request.user)
    form = PolicyDiffForm(
        request.GET if "a" in request.GET or "b" in request.GET else None, versions
    )
    diff = None
    if form.is_bound and form.is_valid():
        diff = policy_version_diff(form.cleaned_data["a"], form.cleaned_data["b"], request.user)
    form.describe_fields()
    rows = [
        {"version": version, "before": versions[index + 1] if index + 1 < len(versions) else None}
        for index, version in enumerate(versions)
    ]
    return render(
        request, "workspace/review/policy.html", {"rows": rows, "form": form, "diff": diff}
    )
