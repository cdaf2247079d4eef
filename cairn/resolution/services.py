"""The Resolution Team's work on a case: routing, taking, calling the person, handing on, closing.

A work app, like appointments and partners: it uses cases (``cases.writing``)
and triage's next steps; neither imports it back. Each write is one
transaction holding the case's row lock, with its audit row and its domain
event (codes and ids, never the person's words or the officer's text).
"""

import logging
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cairn.accounts.models import Team
from cairn.audit.models import Operation
from cairn.cases.models import (
    MAX_UPDATE_LENGTH,
    Case,
    CaseHandOn,
    CaseStatus,
    CaseUpdate,
    ClosureOutcome,
    UpdateKind,
    Visibility,
)
from cairn.cases.resolution_teams import (
    in_a_resolution_team,
    is_resolution_team,
    resolution_team_for,
)
from cairn.cases.services import add_update, close_case
from cairn.cases.writing import (
    CaseError,
    audit_case,
    case_event,
    clean_update_text,
    locked_case,
    refresh_case,
    require_case_worker,
    require_open,
    write_update,
)
from cairn.contacts.models import Contact
from cairn.triage.models import NextStepKind
from cairn.triage.next_steps import complete_next_step

logger = logging.getLogger(__name__)

DEFAULT_VIDEO_BASE_URL = "https://video.cairn.example/"
MAX_OUTCOME_TEXT = MAX_UPDATE_LENGTH - 100  # room for the method and whether reached


class ContactMethod(TextChoices):
    PHONE = "phone", gettext_lazy("Phone call")
    VIDEO = "video", gettext_lazy("Video call")


class AlreadyTaken(CaseError):
    def __init__(self, case: Case):
        self.officer = case.officer
        super().__init__(
            _("%(reference)s is already being worked by %(name)s.")
            % {"reference": case.reference, "name": case.officer}
        )


# Routing and taking -------------------------------------------------------------------------------


def route_to_resolution_team(case: Case, *, actor: Any) -> Case:
    """Give the case to the Resolution Team that serves its division (``resolution_teams``).

    Called when a decision's next step is a Resolution Team task. It completes
    nothing: the task stays open until an officer closes the case. Routing a
    case already with that team, or a closed case, changes nothing; with no
    Resolution Team at all the case is left where it is (supervisors see cases
    without a team). It never refuses, so a triage decision never fails for it.
    """
    require_case_worker(actor)
    team = resolution_team_for(case.division_id)
    with transaction.atomic():
        refresh_case(case, locked_case(case))
        if case.is_closed:
            # A later decision (a regrade) on a contact whose case is closed: nothing to route,
            # and the decision must not fail for it.
            logger.info("case %s: closed, not routed", case.pk)
            return case
        if team is None:
            logger.warning("case %s: no Resolution Team to route it to", case.pk)
            return case
        if case.team_id == team.pk:
            return case
        Case.objects.filter(pk=case.pk).update(team=team)
        case.team = team
        write_update(
            case,
            text=_("Sent to %(team)s.") % {"team": team},
            visibility=Visibility.INTERNAL,
            kind=UpdateKind.ASSIGNED,
            author=actor,
        )
        audit_case(Operation.ALTERATION, case, ["team"], actor, routed="resolution_team")
        case_event(
            "case.routed_to_resolution_team",
            case,
            team=team.pk,
            same_division=bool(case.division_id) and team.division_id == case.division_id,
        )
        return case


def take_case(case: Case, *, actor: Any) -> Case:
    """The officer takes the case to work it ("assign to me").

    Refused when another officer has it (the page names them). The case keeps
    its team; a case with no team takes the officer's.
    """
    require_case_worker(actor)
    with transaction.atomic():
        refresh_case(case, locked_case(case))
        require_open(case)
        if case.officer_id == actor.pk:
            return case
        if case.officer_id is not None:
            raise AlreadyTaken(case)
        changes: dict[str, Any] = {"officer": actor, "status": CaseStatus.IN_PROGRESS}
        if case.team_id is None and getattr(actor, "team_id", None):
            changes["team"] = actor.team
        Case.objects.filter(pk=case.pk).update(**changes)
        for name, value in changes.items():
            setattr(case, name, value)
        write_update(
            case,
            text=_("Taken by %(name)s.") % {"name": actor},
            visibility=Visibility.INTERNAL,
            kind=UpdateKind.ASSIGNED,
            author=actor,
        )
        audit_case(Operation.ALTERATION, case, sorted(changes), actor)
        case_event("case.taken", case, officer=actor.pk, team=case.team_id)
        return case


# Contact with the person --------------------------------------------------------------------------


def record_resolution_contact(
    case: Case, *, method: str, reached: bool, outcome: str, actor: Any
) -> CaseUpdate:
    """The outcome of a phone or video call with the person, as an internal "outcome" update."""
    require_case_worker(actor)
    if method not in ContactMethod.values:
        raise ValidationError({"method": _("Choose phone call or video call.")})
    text = clean_update_text(outcome, field="outcome")
    if len(text) > MAX_OUTCOME_TEXT:
        raise ValidationError(
            {
                "outcome": _("Keep the outcome under %(max)d characters (this one has %(count)d).")
                % {"max": MAX_OUTCOME_TEXT, "count": len(text)}
            }
        )
    with transaction.atomic():
        refresh_case(case, locked_case(case))
        require_open(case)
        label = ContactMethod(method).label
        if reached:
            heading = _("%(method)s: spoke with the person.") % {"method": label}
        else:
            heading = _("%(method)s: could not reach the person.") % {"method": label}
        update = write_update(
            case,
            text=f"{heading} {text}",
            visibility=Visibility.INTERNAL,
            kind=UpdateKind.OUTCOME,
            author=actor,
        )
        audit_case(Operation.ALTERATION, case, ["updates"], actor, update=update.pk)
        case_event(
            "case.resolution_contact", case, update=update.pk, method=method, reached=reached
        )
        return update


def video_meeting_link() -> str:
    """A new meeting link nobody can guess (the video service admits whoever holds it)."""
    base = getattr(settings, "CAIRN_VIDEO_BASE_URL", DEFAULT_VIDEO_BASE_URL) or (
        DEFAULT_VIDEO_BASE_URL
    )
    return f"{base.rstrip('/')}/{secrets.token_urlsafe(18)}"


def offer_video_call(case: Case, *, share: bool, actor: Any) -> str:
    """Make a video meeting link for the case: noted internally, and shared with the person
    as a public update (which messages them) when ``share``. Returns the link."""
    require_case_worker(actor)
    link = video_meeting_link()
    with transaction.atomic():
        refresh_case(case, locked_case(case))
        require_open(case)
        note = write_update(
            case,
            text=_("Video meeting link made: %(link)s") % {"link": link},
            visibility=Visibility.INTERNAL,
            kind=UpdateKind.NOTE,
            author=actor,
        )
        audit_case(Operation.ALTERATION, case, ["updates"], actor, update=note.pk)
        case_event("case.video_link_made", case, update=note.pk, shared=share)
        if share:
            add_update(
                case,
                text=_("We would like to speak with you by video. Join the call here: %(link)s")
                % {"link": link},
                public=True,
                actor=actor,
            )
        return link


# Handing on ---------------------------------------------------------------------------------------


def hand_on(
    case: Case, *, rationale: str, actor: Any, team: Team | None = None, officer: Any = None
) -> CaseHandOn:
    """Give the case to another team or officer, saying why (the rationale is required).

    Handing to an officer alone gives the case to their team too; handing to a
    team alone leaves it for that team to take (no officer).
    """
    require_case_worker(actor)
    if team is None and officer is None:
        raise ValidationError({"team": _("Choose a team or an officer to hand the case on to.")})
    if officer is not None and not getattr(officer, "is_active", False):
        raise ValidationError({"officer": _("Choose an officer whose account is active.")})
    if not (rationale or "").strip():
        raise ValidationError({"rationale": _("Say why you are handing the case on.")})
    text = clean_update_text(rationale, field="rationale")
    if team is None:
        team = officer.team
    with transaction.atomic():
        refresh_case(case, locked_case(case))
        require_open(case)
        if case.team_id == getattr(team, "pk", None) and case.officer_id == getattr(
            officer, "pk", None
        ):
            raise ValidationError(
                {"team": _("The case is already with them: choose someone else.")}
            )
        receiver_in_resolution = is_resolution_team(team) if team else in_a_resolution_team(officer)
        handed = CaseHandOn.objects.create(
            case=case,
            by=actor,
            from_team_id=case.team_id,
            to_team=team,
            to_officer=officer,
            left_resolution_teams=not receiver_in_resolution,
        )
        changes: dict[str, Any] = {"team": team, "officer": officer}
        if case.status == CaseStatus.OPEN and officer is not None:
            changes["status"] = CaseStatus.IN_PROGRESS
        Case.objects.filter(pk=case.pk).update(**changes)
        for name, value in changes.items():
            setattr(case, name, value)
        receiver = ", ".join(str(owner) for owner in (team, officer) if owner is not None)
        write_update(
            case,
            text=_("Handed on to %(receiver)s. Why: %(rationale)s")
            % {"receiver": receiver, "rationale": text},
            visibility=Visibility.INTERNAL,
            kind=UpdateKind.HANDED_ON,
            author=actor,
        )
        audit_case(Operation.ALTERATION, case, sorted(changes), actor, hand_on=handed.pk)
        case_event(
            "case.handed_on",
            case,
            from_team=handed.from_team_id,
            to_team=handed.to_team_id,
            to_officer=handed.to_officer_id,
            left_resolution_teams=handed.left_resolution_teams,
        )
        return handed


# Closing ------------------------------------------------------------------------------------------


def left_resolution_teams(case: Case) -> bool:
    """Whether the case was ever handed on outside the Resolution Teams."""
    return CaseHandOn.objects.filter(case=case, left_resolution_teams=True).exists()


def closing_outcomes(case: Case, actor: Any) -> list[tuple[str, str]]:
    """The outcomes this officer may close the case with, as (value, label).

    "Resolved in entirety by the Resolution Team" only for a Resolution Team
    officer, on a case that never left the Resolution Teams.
    """
    entirety = in_a_resolution_team(actor) and not left_resolution_teams(case)
    return [
        (value, str(label))
        for value, label in ClosureOutcome.choices
        if entirety or value != ClosureOutcome.RESOLVED_BY_RESOLUTION_TEAM
    ]


def close_in_entirety(case: Case, *, outcome: str, public_message: str, actor: Any) -> Case:
    """Close the case from the workbench, with an outcome this officer is offered.

    The Resolution Team tasks its contacts' decisions left open are done with it.
    """
    require_case_worker(actor)
    with transaction.atomic():
        refresh_case(case, locked_case(case))
        require_open(case)
        if outcome not in {value for value, _label in closing_outcomes(case, actor)}:
            raise ValidationError({"outcome": _("Choose how the case ended from the list.")})
        close_case(case, outcome=outcome, public_message=public_message, actor=actor)
        for contact in Contact.objects.filter(case_link__case=case).order_by("pk"):
            complete_next_step(contact, NextStepKind.RESOLUTION_TASK)
        return case
