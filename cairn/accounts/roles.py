"""Roles and what each may do.

A view asks for a capability, never for a role, so a force can re-draw who
may do what here without touching views.
"""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SERVICE_ADVISOR = "service_advisor", _("Service advisor")
    CONTROL_ROOM_OPERATOR = "control_room_operator", _("Area control room operator")
    RESOLUTION_OFFICER = "resolution_officer", _("Resolution Team officer")
    LOCAL_OFFICER = "local_officer", _("Local officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    PARTNER_USER = "partner_user", _("Partner agency user")
    ANALYST = "analyst", _("Analyst")
    ENGAGEMENT_OFFICER = "engagement_officer", _("Engagement officer")
    ADMINISTRATOR = "administrator", _("Administrator")


class Capability(StrEnum):
    USE_WORKSPACE = "workspace.use"
    SEARCH_AUDIT = "audit.search"
    ADMINISTER = "admin.site"
    TAKE_CALLS = "calls.take"
    TRIAGE = "triage.assess"  # work the queue: claim, assess, decide
    REVIEW_TRIAGE = "triage.review"  # quality review, policy versions
    VIEW_PEOPLE = "people.view"  # the person record, markers, history
    MANAGE_PEOPLE = "people.manage"  # link, unlink, merge, add and review markers
    SUBJECT_ACCESS = "people.subject_access"  # export everything held, rectify
    WORK_CASES = "cases.work"  # open cases, add updates, record crimes, assign, close, book, refer
    MANAGE_APPOINTMENT_SLOTS = "appointments.slots"  # publish and withdraw appointment slots
    DISPATCH = "dispatch.board"  # the dispatch board: incidents, resources, assign, update
    RESPOND_TO_REFERRALS = "partners.respond"  # a partner's own referrals: accept, decline, outcome
    READ_FEEDBACK = "engagement.feedback"  # survey answers and complaints
    VIEW_PERFORMANCE = "performance.view"  # dashboards of the performance measures


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.SERVICE_ADVISOR: frozenset(
        {
            Capability.USE_WORKSPACE,
            Capability.TAKE_CALLS,
            Capability.TRIAGE,
            Capability.VIEW_PEOPLE,
            Capability.MANAGE_PEOPLE,
            Capability.WORK_CASES,
        }
    ),
    Role.CONTROL_ROOM_OPERATOR: frozenset(
        {
            Capability.USE_WORKSPACE,
            Capability.DISPATCH,
            Capability.TAKE_CALLS,
            Capability.TRIAGE,
            Capability.VIEW_PEOPLE,
            Capability.MANAGE_PEOPLE,
            Capability.WORK_CASES,
        }
    ),
    Role.RESOLUTION_OFFICER: frozenset(
        {
            Capability.USE_WORKSPACE,
            Capability.VIEW_PEOPLE,
            Capability.MANAGE_PEOPLE,
            Capability.WORK_CASES,
        }
    ),
    Role.LOCAL_OFFICER: frozenset(
        {
            Capability.USE_WORKSPACE,
            Capability.MANAGE_APPOINTMENT_SLOTS,
            Capability.VIEW_PEOPLE,
            Capability.MANAGE_PEOPLE,
            Capability.WORK_CASES,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            Capability.USE_WORKSPACE,
            Capability.SEARCH_AUDIT,
            Capability.TAKE_CALLS,
            Capability.TRIAGE,
            Capability.REVIEW_TRIAGE,
            Capability.VIEW_PEOPLE,
            Capability.MANAGE_PEOPLE,
            Capability.SUBJECT_ACCESS,
            Capability.WORK_CASES,
            Capability.MANAGE_APPOINTMENT_SLOTS,
            Capability.DISPATCH,
            Capability.READ_FEEDBACK,
            Capability.VIEW_PERFORMANCE,
        }
    ),
    Role.PARTNER_USER: frozenset({Capability.USE_WORKSPACE, Capability.RESPOND_TO_REFERRALS}),
    Role.ANALYST: frozenset(
        {Capability.USE_WORKSPACE, Capability.READ_FEEDBACK, Capability.VIEW_PERFORMANCE}
    ),
    Role.ENGAGEMENT_OFFICER: frozenset(
        {Capability.USE_WORKSPACE, Capability.READ_FEEDBACK, Capability.VIEW_PERFORMANCE}
    ),
    Role.ADMINISTRATOR: frozenset(
        {Capability.USE_WORKSPACE, Capability.ADMINISTER, Capability.VIEW_PERFORMANCE}
    ),
}


def has_capability(user, capability: Capability) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return capability in ROLE_CAPABILITIES.get(user.role, frozenset())
