from django.conf import settings
from django.db import models


class Agency(models.Model):
    """A partner organisation that receives referrals."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=160)
    kind = models.CharField(max_length=60, help_text="e.g. health, social work, third sector")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class AgencyMembership(models.Model):
    """Binds a partner user to exactly one agency (one row per user)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_membership"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="members")

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.user_id and self.user.role != "partner_user":
            raise ValidationError("Only a partner agency user can belong to an agency.")
