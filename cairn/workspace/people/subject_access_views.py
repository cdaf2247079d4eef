"""Subject access (UK GDPR art. 15 and 16): everything held on a person, and corrections.

Only for staff with the subject access capability. Each showing or download
of the export is one audited read (``subject_access_export``); restricted
markers come back withheld, as the export is what would be released.
"""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cairn.accounts.roles import Capability
from cairn.people.models import Person
from cairn.people.rectification import rectify_person
from cairn.people.subject_access import (
    render_subject_access_body,
    render_subject_access_html,
    subject_access_export,
)
from cairn.workspace.people.access import require
from cairn.workspace.people.forms import RectifyForm


def _export(request, person_id: int) -> dict:
    try:
        return subject_access_export(person_id, user=request.user)
    except Person.DoesNotExist:
        raise Http404 from None


def _render_page(request, person_id: int, form: RectifyForm | None = None):
    export = _export(request, person_id)
    form = form or RectifyForm()
    form.describe_fields()
    person = export["person"]
    return render(
        request,
        "workspace/people/subject_access.html",
        {
            "person_id": person_id,
            "name": f"{person['given_name']} {person['family_name']}".strip(),
            # The domain renders the document with autoescaping on.
            "document": mark_safe(render_subject_access_body(export)),  # noqa: S308
            "withheld": export.get("withheld_items", 0),
            "form": form,
            "error_links": form.error_links() if form.is_bound else [],
        },
    )


@never_cache
def subject_access(request, person_id: int):
    require(request, Capability.SUBJECT_ACCESS, "subject_access")
    return _render_page(request, person_id)


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def download_json(request, person_id: int):
    require(request, Capability.SUBJECT_ACCESS, "subject_access")
    export = _export(request, person_id)
    body = json.dumps(export, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    return _attachment(response, f"subject-access-{person_id}.json")


def download_html(request, person_id: int):
    require(request, Capability.SUBJECT_ACCESS, "subject_access")
    document = render_subject_access_html(_export(request, person_id))
    response = HttpResponse(document, content_type="text/html; charset=utf-8")
    return _attachment(response, f"subject-access-{person_id}.html")


@require_POST
def rectify(request, person_id: int):
    """Correct one field of the record; the old value is kept (``Rectification``)."""
    require(request, Capability.SUBJECT_ACCESS, "subject_access")
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise Http404
    form = RectifyForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            rectify_person(
                person,
                field=data["field"],
                value=data["value"],
                reason=data["reason"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Record corrected. The earlier value is kept."))
            url = reverse("workspace:people:subject_access", args=[person_id])
            return redirect(f"{url}#rectify")
    return _render_page(request, person_id, form)
