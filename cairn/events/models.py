from django.db import models


class DomainEvent(models.Model):
    """A fact that happened: "contact.received", "appointment.booked", …

    ``subject_type``/``subject_id`` name the thing the event is about. ``data``
    holds the measures' dimensions and values, never free text from the public
    (no personal data: the event log is read by analysts). Rows are never
    updated or deleted (a database trigger refuses it).
    """

    id = models.BigAutoField(primary_key=True)
    name = models.CharField(max_length=80)
    occurred_at = models.DateTimeField(db_index=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    subject_type = models.CharField(max_length=60)
    subject_id = models.CharField(max_length=64)
    division = models.CharField(max_length=4, blank=True, default="")
    channel = models.CharField(max_length=30, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["name", "occurred_at"]),
            models.Index(fields=["subject_type", "subject_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.subject_type}:{self.subject_id}"
