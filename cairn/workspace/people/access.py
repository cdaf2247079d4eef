"""Who may use the people pages: capability checks that audit a refusal, as the other pages do."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import Operation, Outcome
from cairn.audit.services import record


def require(request: HttpRequest, capability: Capability, object_type: str = "person") -> None:
    """403 (the site's page, the refusal audited) unless the user holds ``capability``."""
    if not has_capability(request.user, capability):
        record(Operation.ACCESS_DENIED, object_type=object_type, outcome=Outcome.DENIED)
        raise PermissionDenied


def may(request: HttpRequest, capability: Capability) -> bool:
    return has_capability(request.user, capability)
