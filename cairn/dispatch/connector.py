"""The connector: post an incident's EIDO document to command and control, once at a time.

One POST per attempt to ``CAIRN_COMMAND_AND_CONTROL_URL``::

    POST <url>  Authorization: Bearer <CAIRN_COMMAND_AND_CONTROL_TOKEN>
    Content-Type: application/json   Idempotency-Key: <the EIDO $id>
    <the EIDO document, byte for byte the same on every attempt>

A 2xx is accepted; a JSON answer carrying ``incident_id`` (or ``id``) is
command and control's own incident number, and the incident is then
"acknowledged" rather than "sent". A 5xx, 408, 425, 429, a timeout or no
connection is worth another try after a back-off; any other 4xx is not (the
document will not get better by sending it again). After
``CAIRN_COMMAND_AND_CONTROL_MAX_ATTEMPTS`` the incident is "failed", loudly, on
the board. A retry that the receiver already took is the same document with
the same ids, for it to de-duplicate.

No two workers post one incident at once: ``claim`` takes the row with
``SELECT … FOR UPDATE SKIP LOCKED`` and marks it ``sending_since`` before the
post, outside any transaction; a worker that dies mid-post leaves the mark,
which ``requeue_stalled`` clears after ``STALLED_AFTER``. With no URL
configured (the demo), nothing is posted and the incident stays "pending" for
the board operator.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cairn.audit.models import Operation
from cairn.cases.models import Visibility
from cairn.dispatch.eido import to_json
from cairn.dispatch.models import DispatchIncident, IncidentStatus
from cairn.dispatch.services import audit, event, minutes_since_raised, write_case_update

logger = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({408, 425, 429})
MAX_ANSWER_BYTES = 64 * 1024
MAX_BACKOFF_SECONDS = 300  # an Immediate incident never waits long between tries
STALLED_AFTER = timedelta(minutes=2)


def url() -> str:
    return str(getattr(settings, "CAIRN_COMMAND_AND_CONTROL_URL", "") or "")


def token() -> str:
    return str(getattr(settings, "CAIRN_COMMAND_AND_CONTROL_TOKEN", "") or "")


def timeout_seconds() -> float:
    return float(getattr(settings, "CAIRN_COMMAND_AND_CONTROL_TIMEOUT_SECONDS", 10))


def max_attempts() -> int:
    return int(getattr(settings, "CAIRN_COMMAND_AND_CONTROL_MAX_ATTEMPTS", 5))


def backoff_seconds(attempts: int) -> int:
    """Wait before attempt ``attempts + 1``: base × 2^(attempts − 1), at most five minutes."""
    base = int(getattr(settings, "CAIRN_COMMAND_AND_CONTROL_RETRY_SECONDS", 10))
    return min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)


@dataclass(frozen=True)
class PostResult:
    accepted: bool
    retryable: bool = False
    error: str = ""  # ours, never the receiver's words
    remote_id: str = ""  # command and control's incident id, when it said


@dataclass(frozen=True)
class Attempt:
    """What one attempt came to: the incident's status after it, and when to try again."""

    status: str  # "" when there was nothing to send
    retry_in: int | None = None


def _remote_id(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    return str(body.get("incident_id") or body.get("id") or "")[:100]


def post_document(document: dict, *, idempotency_key: str) -> PostResult:
    """One POST of ``document`` to command and control (the caller checked a URL is set)."""
    target = url()
    if not target.startswith(("https://", "http://")):
        return PostResult(False, error="the command and control URL must be http(s)")
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Authorization": f"Bearer {token()}",
        "Idempotency-Key": idempotency_key,
        "User-Agent": "Cairn",
    }
    limit = timeout_seconds()
    try:
        with httpx.Client(timeout=limit, follow_redirects=False) as client:
            answer = client.post(target, content=to_json(document).encode(), headers=headers)
    except httpx.TimeoutException:
        return PostResult(
            False, retryable=True, error=f"no answer from command and control in {limit:g} s"
        )
    except httpx.HTTPError as error:
        return PostResult(
            False,
            retryable=True,
            error=f"could not reach command and control ({type(error).__name__})",
        )
    if 200 <= answer.status_code < 300:
        return PostResult(True, remote_id=_remote_id(answer))
    status = answer.status_code
    return PostResult(
        False,
        retryable=status >= 500 or status in RETRYABLE_STATUS,
        error=f"command and control answered HTTP {status}",
    )


def claim(incident_id: int, now: datetime) -> DispatchIncident | None:
    """The incident, marked as being posted by this worker; None when it is not ours to post."""
    with transaction.atomic():
        incident = (
            DispatchIncident.objects.select_for_update(skip_locked=True)
            .filter(pk=incident_id, status=IncidentStatus.PENDING, sending_since__isnull=True)
            .first()
        )
        if incident is None:
            return None  # sent, failed, cleared, or being posted by another worker
        incident.sending_since = now
        incident.attempts += 1
        incident.save(update_fields=["sending_since", "attempts"])
    return incident


def _settle(incident: DispatchIncident, result: PostResult, now: datetime) -> Attempt:
    with transaction.atomic():
        # The board or command and control may have moved it on while we posted.
        locked = DispatchIncident.objects.select_for_update().get(pk=incident.pk)
        locked.sending_since = None
        fields = ["sending_since", "last_error"]
        retry_in = None
        if result.accepted:
            locked.last_error = ""
            locked.sent_at = now
            fields.append("sent_at")
            if result.remote_id and not locked.command_and_control_id:
                locked.command_and_control_id = result.remote_id
                locked.acknowledged_at = now
                fields += ["command_and_control_id", "acknowledged_at"]
            if locked.status == IncidentStatus.PENDING:
                locked.status = (
                    IncidentStatus.ACKNOWLEDGED if result.remote_id else IncidentStatus.SENT
                )
                fields.append("status")
            audit(
                Operation.DISCLOSURE,
                locked,
                ["document"],
                recipient="command_and_control",
                attempts=locked.attempts,
            )
            event(
                "dispatch.sent",
                locked,
                attempts=locked.attempts,
                acknowledged=bool(result.remote_id),
                minutes_since_raised=minutes_since_raised(locked, now),
            )
        elif result.retryable and locked.attempts < max_attempts():
            locked.last_error = result.error[:200]
            retry_in = backoff_seconds(locked.attempts)
            event("dispatch.send_retrying", locked, attempts=locked.attempts, retry_in=retry_in)
        else:
            locked.last_error = result.error[:200]
            if locked.status == IncidentStatus.PENDING:
                locked.status, locked.failed_at = IncidentStatus.FAILED, now
                fields += ["status", "failed_at"]
                write_case_update(
                    locked.case,
                    text=_(
                        "Hand-off to command and control failed after %(attempts)d attempts "
                        "(%(error)s). The dispatch board shows it for the control room."
                    )
                    % {"attempts": locked.attempts, "error": locked.last_error},
                    visibility=Visibility.INTERNAL,
                )
                event("dispatch.failed", locked, attempts=locked.attempts)
                logger.error(
                    "dispatch incident %s: hand-off failed after %s attempts",
                    locked.pk,
                    locked.attempts,
                )
        locked.save(update_fields=fields)
    return Attempt(status=locked.status, retry_in=retry_in)


def send(incident_id: int) -> Attempt:
    """One attempt to post a pending incident (the connector task's work)."""
    if not url():
        return Attempt(status="")  # no command and control configured: the board has it
    incident = claim(incident_id, timezone.now())
    if incident is None:
        return Attempt(status="")
    try:
        result = post_document(incident.document, idempotency_key=incident.eido_id)
    except Exception as error:  # a bug here must not leave the incident claimed
        logger.error("dispatch incident %s: post raised %s", incident.pk, type(error).__name__)
        result = PostResult(
            False, retryable=True, error=f"connector error ({type(error).__name__})"
        )
    return _settle(incident, result, timezone.now())


def requeue_stalled(now: datetime | None = None) -> int:
    """Incidents a dead worker left mid-post: free them and post again (same document)."""
    from cairn.dispatch.tasks import send_incident

    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        stalled = DispatchIncident.objects.select_for_update(skip_locked=True).filter(
            status=IncidentStatus.PENDING, sending_since__lt=now - STALLED_AFTER
        )
        for incident in stalled:
            incident.sending_since = None
            incident.last_error = "the connector stopped while posting"
            incident.save(update_fields=["sending_since", "last_error"])
            send_incident.defer(incident_id=incident.pk)
            count += 1
    return count
