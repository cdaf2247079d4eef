"""The connector's tasks: post an incident (retrying with back-off), free stalled posts."""

from procrastinate import RetryDecision
from procrastinate.contrib.django import app
from procrastinate.retry import BaseRetryStrategy

from cairn.audit.context import acting_as
from cairn.dispatch import connector

QUEUE = "dispatch"


class RetryLater(Exception):
    """Raised by the send task so procrastinate runs it again after ``seconds``."""

    def __init__(self, seconds: int):
        super().__init__(f"retry in {seconds} s")
        self.seconds = seconds


class SendRetry(BaseRetryStrategy):
    """The incident row counts the attempts and says when to try again; procrastinate obeys.

    Any other exception is a bug: the job fails, and ``requeue_stalled`` frees
    the incident if it was left mid-post.
    """

    def get_retry_decision(self, *, exception, job) -> RetryDecision | None:
        if isinstance(exception, RetryLater):
            return RetryDecision(retry_in={"seconds": exception.seconds})
        return None


@app.task(name="dispatch.send", queue=QUEUE, retry=SendRetry())
def send_incident(incident_id: int) -> str:
    """Post one incident to command and control; on a failure worth retrying, run again later."""
    with acting_as("task"):
        attempt = connector.send(incident_id)
    if attempt.retry_in is not None:
        raise RetryLater(attempt.retry_in)
    return attempt.status or "nothing to send"


@app.periodic(cron="* * * * *", periodic_id="dispatch-requeue-stalled")
@app.task(name="dispatch.requeue_stalled", queue=QUEUE, queueing_lock="dispatch-requeue-stalled")
def requeue_stalled_incidents(timestamp: int) -> int:
    """Every minute: incidents a dead worker left mid-post are posted again."""
    with acting_as("task"):
        return connector.requeue_stalled()
