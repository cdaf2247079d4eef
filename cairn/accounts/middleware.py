"""The gate in front of every staff page.

Anything under /staff/ needs a logged-in user who has passed the second factor
in this session, and a session that has not been idle too long. The login,
second-factor and logout pages are the only exceptions. This sits in
middleware, not in per-view decorators, so a new staff page cannot forget it.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from cairn.audit.models import Operation
from cairn.audit.services import record

STAFF_PREFIX = "/staff/"
LAST_SEEN_KEY = "cairn_last_seen"
OPEN_URL_NAMES = ("accounts:login", "accounts:verify", "accounts:enrol", "accounts:logout")


def _redirect(to: str, next_path: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse(to)}?{urlencode({'next': next_path})}")


class StaffAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths: frozenset[str] | None = None

    def open_paths(self) -> frozenset[str]:
        if self._open_paths is None:
            self._open_paths = frozenset(reverse(name) for name in OPEN_URL_NAMES)
        return self._open_paths

    def __call__(self, request):
        if not request.path.startswith(STAFF_PREFIX):
            return self.get_response(request)
        user = request.user
        if user.is_authenticated and self._idle_too_long(request):
            record(Operation.SESSION_EXPIRED, object_type="staff_user", object_id=user.pk)
            logout(request)
            messages.info(request, _("You were signed out because you were inactive."))
            return _redirect("accounts:login", request.get_full_path())
        if request.path in self.open_paths():
            return self.get_response(request)
        if not user.is_authenticated:
            return _redirect("accounts:login", request.get_full_path())
        if not user.is_verified():
            return _redirect("accounts:verify", request.get_full_path())
        return self.get_response(request)

    @staticmethod
    def _idle_too_long(request) -> bool:
        now = time.time()
        last_seen = request.session.get(LAST_SEEN_KEY)
        request.session[LAST_SEEN_KEY] = now
        if last_seen is None:
            return False
        return now - last_seen > settings.STAFF_IDLE_TIMEOUT.total_seconds()
