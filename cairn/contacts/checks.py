"""System checks: `manage.py check --deploy` names every missing webhook secret."""

import os

from django.conf import settings
from django.core import checks

from cairn.contacts.channels import ADAPTERS
from cairn.contacts.channels.signatures import MIN_PRODUCTION_SECRET, secret_variable


@checks.register(checks.Tags.security, deploy=True)
def webhook_secrets_are_set(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if not settings.PRODUCTION:
        return []
    return [
        checks.Error(
            f"{secret_variable(channel)} is missing or shorter than {MIN_PRODUCTION_SECRET} "
            "characters: that channel's webhook would refuse every delivery.",
            id="cairn.E001",
        )
        for channel in ADAPTERS
        if len(os.environ.get(secret_variable(channel), "")) < MIN_PRODUCTION_SECRET
    ]
