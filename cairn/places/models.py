from django.db import models


class Division(models.Model):
    """A local policing division, e.g. "E" Edinburgh."""

    code = models.CharField(max_length=4, primary_key=True)
    name = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class CouncilArea(models.Model):
    """A local authority, by its GSS code; each lies in one division."""

    gss_code = models.CharField(max_length=9, primary_key=True)
    name = models.CharField(max_length=80)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="council_areas")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Station(models.Model):
    name = models.CharField(max_length=120)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="stations")
    is_public_counter = models.BooleanField(default=True)

    class Meta:
        ordering = ["division", "name"]
        constraints = [
            models.UniqueConstraint(fields=["division", "name"], name="station_unique_in_division")
        ]

    def __str__(self) -> str:
        return self.name
