from django.db import models


class IdempotentRequest(models.Model):
    """The first answer to a request sent with an ``Idempotency-Key``.

    Written in the same transaction as the work it answers, so a replay finds
    either nothing (the first attempt died: do the work) or the whole answer.
    """

    client = models.ForeignKey("accounts.ApiClient", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotent_request_once")
        ]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.key}"
