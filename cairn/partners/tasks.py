"""Webhook deliveries to partner agencies, on the "partners" queue."""

from procrastinate import RetryDecision
from procrastinate.contrib.django import app
from procrastinate.retry import BaseRetryStrategy

from cairn.audit.context import acting_as
from cairn.partners import webhooks


class RetryLater(Exception):
    """Raised by the delivery task so procrastinate runs it again after ``seconds``."""

    def __init__(self, seconds: int):
        super().__init__(f"retry in {seconds} s")
        self.seconds = seconds


class WebhookRetry(BaseRetryStrategy):
    """The delivery row counts attempts and says when to try again; procrastinate obeys.

    Any other exception is a bug: the job fails, the row stays "sending", and
    ``requeue_stalled_webhooks`` picks it up.
    """

    def get_retry_decision(self, *, exception, job) -> RetryDecision | None:
        if isinstance(exception, RetryLater):
            return RetryDecision(retry_in={"seconds": exception.seconds})
        return None


@app.task(name="partners.deliver_webhook", queue="partners", retry=WebhookRetry())
def deliver_webhook(delivery_pk: int) -> str:
    """POST one webhook to an agency; on a failure worth retrying, run again after the backoff."""
    with acting_as("task"):
        attempt = webhooks.deliver(delivery_pk)
    if attempt.retry_in is not None:
        raise RetryLater(attempt.retry_in)
    return attempt.status or "nothing to send"


@app.periodic(cron="*/5 * * * *", periodic_id="partners-requeue-stalled")
@app.task(name="partners.requeue_stalled", queueing_lock="partners-requeue-stalled")
def requeue_stalled_webhooks(timestamp: int) -> int:
    """Every five minutes: deliveries a dead worker left "sending" go back in the queue."""
    with acting_as("task"):
        return webhooks.requeue_stalled()
