"""Demo dispatch: a few units per division, and a key for a command and control system.

``make run`` configures no command and control URL, so incidents raised in the
demo stay "pending" on the board at /staff/dispatch/ and the control room
operator (login ``controlroom``) assigns and updates them there. The demo key
lets anyone play command and control by hand:

    curl -X POST http://127.0.0.1:8000/api/v1/dispatch/incidents/CRN-…/status \\
      -H "Authorization: Bearer cairn_demo0002_command-and-control-key-for-local-testing-only" \\
      -H "Content-Type: application/json" \\
      -d '{"status": "on_scene", "call_sign": "E21", "at": "2026-03-14T21:20:00Z",
           "update_id": "u1"}'
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from cairn.accounts.api_keys import issue_api_key
from cairn.accounts.models import ApiClient
from cairn.audit.context import acting_as
from cairn.dispatch.models import Resource, ResourceKind
from cairn.dispatch.status import STATUS_SCOPE
from cairn.places.models import Division

# Published on purpose: demo data only, refused in production.
DEMO_COMMAND_AND_CONTROL_KEY = "cairn_demo0002_command-and-control-key-for-local-testing-only"
DEMO_COMMAND_AND_CONTROL_CLIENT = "Demo command and control"

# (call sign suffix, kind): each division's units are "<division code><suffix>", e.g. E21.
DEMO_UNITS = [
    ("21", ResourceKind.RESPONSE_CAR),
    ("22", ResourceKind.RESPONSE_CAR),
    ("31", ResourceKind.VAN),
    ("41", ResourceKind.DOG),
]


@transaction.atomic
def load_demo_dispatch() -> tuple[int, str]:
    """Units for every division and the command and control API client, unless there already.

    Returns (units created, the demo command and control key). Safe to run again.
    """
    if settings.PRODUCTION:
        raise ImproperlyConfigured("demo data is never loaded when CAIRN_ENV=production")
    created = 0
    with acting_as("command"):
        for division in Division.objects.order_by("code"):
            for suffix, kind in DEMO_UNITS:
                _unit, new = Resource.objects.get_or_create(
                    call_sign=f"{division.code}{suffix}",
                    defaults={"division": division, "kind": kind},
                )
                created += new
        if not ApiClient.objects.filter(name=DEMO_COMMAND_AND_CONTROL_CLIENT).exists():
            issue_api_key(
                DEMO_COMMAND_AND_CONTROL_CLIENT,
                key=DEMO_COMMAND_AND_CONTROL_KEY,
                scopes=(STATUS_SCOPE,),
            )
    return created, DEMO_COMMAND_AND_CONTROL_KEY
