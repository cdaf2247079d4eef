"""The tracking page's panel for this part of the portal (see cairn.portal.tracking)."""

from cairn.contacts.models import Contact
from cairn.portal.panels import Panel


def appointment_panel(request, contact: Contact) -> Panel | None:
    return None
