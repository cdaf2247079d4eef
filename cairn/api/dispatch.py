"""API for dispatch (being built for issue 6)."""

from ninja import Router

router = Router(tags=["dispatch"])
