"""Tables the benchmark endpoints write to. Nothing else reads them.

Both hold the same three fields so that the row each endpoint writes costs
the same to store: the difference measured is the request path, not the row.
"""

from django.db import models


class ReferenceRow(models.Model):
    """Written by one raw-SQL INSERT in ``/bench/reference`` (the floor)."""

    id = models.BigAutoField(primary_key=True)
    received_at = models.DateTimeField()
    channel = models.CharField(max_length=30)
    narrative = models.TextField()
    postcode = models.CharField(max_length=10)

    def __str__(self) -> str:
        return f"reference {self.pk}"


class IntakeProbe(models.Model):
    """Written by ``/bench/intake``: the shape a real intake will have."""

    id = models.BigAutoField(primary_key=True)
    received_at = models.DateTimeField(auto_now_add=True)
    channel = models.CharField(max_length=30)
    narrative = models.TextField()
    postcode = models.CharField(max_length=10)

    def __str__(self) -> str:
        return f"intake probe {self.pk}"
