"""What the current request (or command, or task) is, for the audit trail.

Middleware sets it per request; commands and tasks use :func:`acting_as`.
"""

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ActionContext:
    channel: str
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    request: Any = None  # the HttpRequest, so the user is read lazily
    user: Any = None  # set directly for commands and tasks

    def actor(self) -> Any:
        if self.user is not None:
            return self.user
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


_current: ContextVar[ActionContext | None] = ContextVar("cairn_action_context", default=None)


def current_context() -> ActionContext:
    return _current.get() or ActionContext(channel="system")


@contextlib.contextmanager
def acting_as(
    channel: str, *, user: Any = None, request: Any = None, request_id: str | None = None
) -> Iterator[ActionContext]:
    context = ActionContext(channel=channel, user=user, request=request)
    if request_id:
        context.request_id = request_id
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)
