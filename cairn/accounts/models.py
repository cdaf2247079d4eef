from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.db import models

from cairn.accounts.roles import Role


class Team(models.Model):
    """A working group: a service centre shift, a Resolution Team, a local team."""

    name = models.CharField(max_length=120, unique=True)
    division = models.ForeignKey(
        "places.Division", null=True, blank=True, on_delete=models.PROTECT, related_name="teams"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StaffUser(AbstractUser):
    """A member of staff or a partner agency's user. Every one logs in with MFA."""

    role = models.CharField(max_length=40, choices=Role.choices)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    division = models.ForeignKey(
        "places.Division", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )

    class Meta:
        verbose_name = "staff user"

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class LoginFailure(models.Model):
    """One failed password or second-factor attempt, by normalised username."""

    username_key = models.CharField(max_length=150)
    failed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["username_key", "failed_at"])]

    def __str__(self) -> str:
        return f"{self.username_key} failed at {self.failed_at:%Y-%m-%d %H:%M:%S}"


class AccountLock(models.Model):
    """A username locked after too many failures, until ``locked_until``."""

    username_key = models.CharField(max_length=150, primary_key=True)
    locked_at = models.DateTimeField()
    locked_until = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.username_key} locked until {self.locked_until:%Y-%m-%d %H:%M}"


class ApiClient(models.Model):
    """An integrator (a force system, a civic reporting app) calling the API with a key.

    The key is shown once when made; only its SHA-256 is kept. ``prefix`` (the
    key's first characters) identifies it in lists and logs without revealing it.
    """

    name = models.CharField(max_length=120, unique=True)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(default=True)
    scopes = ArrayField(
        models.CharField(max_length=40),
        default=list,
        blank=True,
        help_text='What the key may do beyond reporting contacts, e.g. "people.read".',
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
