"""Signed, short-lived URLs for the live event stream (filled in with the live service)."""


def events_url_for(request) -> str | None:
    """The URL the queue page's script opens for live events, or None when live events are off."""
    return None
