"""API for partners (being built for issue 6)."""

from ninja import Router

router = Router(tags=["partners"])
