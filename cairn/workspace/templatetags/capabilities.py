from django import template

from cairn.accounts.roles import Capability, has_capability

register = template.Library()


@register.filter
def can(user, capability: str) -> bool:
    """{% if user|can:"calls.take" %}: the same check the view makes."""
    return has_capability(user, Capability(capability))
