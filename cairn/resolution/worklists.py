"""The case worklist: whose open cases a member of staff sees, and what each needs.

Need to know decides the scope, not a filter on the page:

- a supervisor sees every open case of their division (or of any division or
  team they filter by);
- a Resolution Team officer sees their team's open cases and their own;
- anyone else who works cases (a local officer, a handler) sees their own,
  and their team's cases that nobody has taken yet.

One query for the rows, however many there are: the first contact's
reference and the earliest due time come as subqueries.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import (
    DateTimeField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from cairn.accounts.roles import Capability, Role, has_capability
from cairn.cases.categories import category_label
from cairn.cases.models import Case, CaseContact, CaseStatus
from cairn.cases.resolution_teams import in_a_resolution_team
from cairn.triage.models import NextStep, NextStepKind, NextStepStatus

DEFAULT_RESOLUTION_CONTACT_HOURS = 24


class Scope:
    DIVISION = "division"  # a supervisor
    TEAM = "team"  # a Resolution Team officer: the team's cases and their own
    MINE = "mine"  # their own, and their team's not taken yet


@dataclass(frozen=True)
class WorklistFilters:
    division: str | None = None  # a supervisor's choice; None: their own division
    all_divisions: bool = False
    team: int | None = None
    needs: str = ""  # "", "new", "person_waiting", "overdue"


@dataclass(frozen=True)
class WorklistRow:
    case: Case
    category: str
    contact_reference: str
    due_by: datetime | None
    overdue: bool
    mine: bool

    @property
    def is_new(self) -> bool:
        """Nobody is working it yet."""
        return self.case.officer_id is None

    @property
    def person_waiting_since(self) -> datetime | None:
        return self.case.awaiting_reply_since


def scope_for(user: Any) -> str:
    if user.role == Role.SUPERVISOR:
        return Scope.DIVISION
    if in_a_resolution_team(user):
        return Scope.TEAM
    return Scope.MINE


def _resolution_contact_time() -> timedelta:
    hours = getattr(settings, "CAIRN_RESOLUTION_CONTACT_HOURS", DEFAULT_RESOLUTION_CONTACT_HOURS)
    return timedelta(hours=hours)


def _due_by() -> Subquery:
    """The earliest open next step's due time among the case's contacts.

    A Resolution Team task with no due time of its own is due a standard time
    (``CAIRN_RESOLUTION_CONTACT_HOURS``) after the decision that made it.
    """
    steps = (
        NextStep.objects.filter(contact__case_link__case=OuterRef("pk"), status=NextStepStatus.OPEN)
        .annotate(
            due=Coalesce(
                "due_by",
                models.Case(
                    When(
                        kind=NextStepKind.RESOLUTION_TASK,
                        then=ExpressionWrapper(
                            F("created_at") + Value(_resolution_contact_time()),
                            output_field=DateTimeField(),
                        ),
                    ),
                    default=None,
                    output_field=DateTimeField(),
                ),
            )
        )
        .filter(due__isnull=False)
        .order_by("due")
        .values("due")[:1]
    )
    return Subquery(steps, output_field=DateTimeField())


def _first_contact_reference() -> Subquery:
    links = CaseContact.objects.filter(case=OuterRef("pk")).order_by("added_at", "pk")
    return Subquery(links.values("contact__reference")[:1])


def _scoped(user: Any, filters: WorklistFilters) -> QuerySet:
    cases = Case.objects.exclude(status=CaseStatus.CLOSED)
    scope = scope_for(user)
    if scope == Scope.DIVISION:
        if filters.division:
            cases = cases.filter(division_id=filters.division)
        elif not filters.all_divisions and user.division_id:
            cases = cases.filter(division_id=user.division_id)
        if filters.team:
            cases = cases.filter(team_id=filters.team)
    elif scope == Scope.TEAM:
        cases = cases.filter(Q(team_id=user.team_id) | Q(officer_id=user.pk))
    elif user.team_id:
        # Their own, and what was handed to their team for someone to take.
        cases = cases.filter(Q(officer_id=user.pk) | Q(team_id=user.team_id, officer__isnull=True))
    else:
        cases = cases.filter(officer_id=user.pk)
    return cases


def case_worklist(user: Any, filters: WorklistFilters | None = None) -> list[WorklistRow]:
    """The open cases this member of staff works, oldest first, with what each needs."""
    if not has_capability(user, Capability.WORK_CASES):
        raise PermissionDenied
    filters = filters or WorklistFilters()
    cases = (
        _scoped(user, filters)
        .select_related("team", "officer", "division")
        .annotate(due=_due_by(), first_contact=_first_contact_reference())
        .order_by("opened_at", "pk")
    )
    if filters.needs == "new":
        cases = cases.filter(officer__isnull=True)
    elif filters.needs == "person_waiting":
        cases = cases.filter(awaiting_reply_since__isnull=False)
    elif filters.needs == "overdue":
        cases = cases.filter(due__lt=timezone.now())
    now = timezone.now()
    return [
        WorklistRow(
            case=case,
            category=category_label(case.category),
            contact_reference=case.first_contact or "",
            due_by=case.due,
            overdue=case.due is not None and case.due < now,
            mine=case.officer_id == user.pk,
        )
        for case in cases
    ]
