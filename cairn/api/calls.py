"""The call-event API: a telephony system reports offered/answered/…/ended calls."""

from ninja import Router

from cairn.api.auth import ApiKey

router = Router(tags=["calls"], auth=ApiKey())
