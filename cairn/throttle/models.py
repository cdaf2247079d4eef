from django.db import models


class Attempt(models.Model):
    scope = models.CharField(max_length=40)
    key_hash = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["scope", "key_hash", "at"])]

    def __str__(self) -> str:
        return f"{self.scope} at {self.at:%H:%M:%S}"
