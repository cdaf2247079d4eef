"""Reads for call taking. Each takes ``user=`` and returns only what that user may see."""

from typing import Any

from cairn.accounts.roles import Capability, has_capability
from cairn.contacts.models import LINE_CHANNELS, Call, Contact


def call_to_take(*, user: Any, external_id: str) -> Call | None:
    """The telephony system's call a handler is about to take, if they take calls."""
    if not external_id or not has_capability(user, Capability.TAKE_CALLS):
        return None
    return Call.objects.filter(external_id=external_id).first()


def contact_taken_on_call(*, user: Any, reference: str) -> Contact | None:
    """A contact taken on a 999 or 101 call, for a handler who takes calls."""
    if not has_capability(user, Capability.TAKE_CALLS):
        return None
    return (
        Contact.objects.filter(
            reference=reference, channel__in=LINE_CHANNELS.values(), call__isnull=False
        )
        .select_related("call")
        .first()
    )
