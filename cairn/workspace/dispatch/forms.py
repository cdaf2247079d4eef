"""The board's forms: assign a resource, report a status. One of each per open incident.

Each form carries an ``update_id`` made when the board was drawn, so a second
click (or a resubmitted page) is the same update and is stored once.
"""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from cairn.dispatch.models import ReportedStatus
from cairn.workspace.design_system_forms import DesignSystemForm

BOARD_STATUSES = [
    (ReportedStatus.EN_ROUTE, _("En route")),
    (ReportedStatus.ON_SCENE, _("On scene")),
    (ReportedStatus.CLEARED, _("Cleared")),
]
ALL_RESOURCES = "all"


def _new_update_id() -> str:
    return f"board-{uuid.uuid4()}"


class AssignForm(DesignSystemForm):
    resource = forms.TypedChoiceField(
        label=_("Resource to assign"),
        coerce=int,
        error_messages={
            "required": _("Choose a resource to assign."),
            "invalid_choice": _(
                "Choose a resource from the list: that one is no longer available."
            ),
        },
    )
    update_id = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, incident, available, **kwargs):
        kwargs.setdefault("prefix", f"assign-{incident.pk}")
        kwargs.setdefault("initial", {"update_id": _new_update_id()})
        super().__init__(*args, **kwargs)
        same = [r for r in available if r.division_id == incident.division_id]
        other = [r for r in available if r.division_id != incident.division_id]
        self.fields["resource"].choices = [
            ("", _("Choose a resource")),
            *[(r.pk, f"{r.call_sign} – {r.get_kind_display()}") for r in same],
            *[(r.pk, f"{r.call_sign} – {r.get_kind_display()} ({r.division_id})") for r in other],
        ]


class StatusForm(DesignSystemForm):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[("", _("Choose a status")), *BOARD_STATUSES],
        error_messages={"required": _("Choose the new status.")},
    )
    resource = forms.ChoiceField(
        label=_("Resource"),
        error_messages={
            "required": _("Choose the resource the status is about."),
            "invalid_choice": _("Choose a resource on this incident."),
        },
    )
    update_id = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, incident, on_incident, **kwargs):
        kwargs.setdefault("prefix", f"status-{incident.pk}")
        kwargs.setdefault("initial", {"update_id": _new_update_id()})
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = [
            ("", _("Choose a resource")),
            *[(str(r.pk), r.call_sign) for r in on_incident],
            (ALL_RESOURCES, _("All resources (clears the incident)")),
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("resource") == ALL_RESOURCES and cleaned.get("status") not in (
            None,
            ReportedStatus.CLEARED,
        ):
            self.add_error("resource", _("Choose one resource: only clearing applies to all."))
        return cleaned
