from procrastinate import RetryDecision
from procrastinate.contrib.django import app
from procrastinate.retry import BaseRetryStrategy

from cairn.audit.context import acting_as
from cairn.notify.codes import forget_old_codes
from cairn.notify.services import deliver, forget_old_recipients, requeue_stalled


class RetryLater(Exception):
    """Raised by the delivery task so procrastinate runs it again after ``seconds``."""

    def __init__(self, seconds: int):
        super().__init__(f"retry in {seconds} s")
        self.seconds = seconds


class DeliveryRetry(BaseRetryStrategy):
    """The outbox row counts the attempts and says when to try again; procrastinate obeys.

    Any other exception is a bug: the job fails, the row stays "sending", and
    ``requeue_stalled`` picks it up (and gives up after the last attempt).
    """

    def get_retry_decision(self, *, exception, job) -> RetryDecision | None:
        if isinstance(exception, RetryLater):
            return RetryDecision(retry_in={"seconds": exception.seconds})
        return None


@app.task(name="notify.deliver", queue="notify", retry=DeliveryRetry())
def deliver_message(message_id: int) -> str:
    """Send one queued message; on a failure worth retrying, run again after the backoff."""
    with acting_as("task"):
        delivery = deliver(message_id)
    if delivery.retry_in is not None:
        raise RetryLater(delivery.retry_in)
    return delivery.status or "nothing to send"


@app.periodic(cron="*/5 * * * *", periodic_id="notify-requeue-stalled")
@app.task(name="notify.requeue_stalled", queueing_lock="notify-requeue-stalled")
def requeue_stalled_messages(timestamp: int) -> int:
    """Every five minutes: messages a dead worker left "sending" go back in the queue."""
    with acting_as("task"):
        return requeue_stalled()


@app.periodic(cron="41 2 * * *", periodic_id="notify-forget")
@app.task(name="notify.forget", queueing_lock="notify-forget")
def forget_old_messages_and_codes(timestamp: int) -> dict[str, int]:
    """Nightly: recipients erased 30 days after sending; codes deleted after a day."""
    with acting_as("task"):
        return {"recipients": forget_old_recipients(), "codes": forget_old_codes()}
