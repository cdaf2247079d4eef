"""Which appointments are public protection, and the soonest slots held for them.

Domestic abuse and the other public-protection matters (a person at risk, a
missing person, hate crime) are offered the soonest slots: for the first
``priority_hold()`` the slots are theirs, and everyone else is offered slots
from then on. A case is public protection by its incident category
(policy/incident_categories.yaml); the handler may also mark a booking so when
what they heard on the call says it is.
"""

from datetime import timedelta

from django.conf import settings

from cairn.cases.models import Case

DEFAULT_CATEGORIES = frozenset(
    {"crime.domestic_abuse", "crime.hate", "concern.person", "concern.missing_person"}
)
DEFAULT_HOLD_HOURS = 24


def public_protection_categories() -> frozenset[str]:
    return frozenset(
        getattr(settings, "CAIRN_PUBLIC_PROTECTION_CATEGORIES", None) or DEFAULT_CATEGORIES
    )


def is_public_protection(case: Case) -> bool:
    return case.category in public_protection_categories()


def priority_hold() -> timedelta:
    """How far ahead the soonest slots are kept for public-protection appointments."""
    hours = getattr(settings, "CAIRN_APPOINTMENT_PRIORITY_HOURS", DEFAULT_HOLD_HOURS)
    return timedelta(hours=int(hours))
