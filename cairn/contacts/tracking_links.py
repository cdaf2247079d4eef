"""Signed links to a contact's tracking page, for the messages we send the person.

A message never carries what happened, only a link; the link carries a token
signed with the server's secret key (Django's ``TimestampSigner``) that names
the contact, so a person who reported by phone (and so has no tracking code)
can still open their page. A token lasts ``LINK_LIFETIME``; after that the page
asks for the reference and code, or the person calls 101.
"""

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

from cairn.contacts.models import Contact

LINK_SALT = "cairn.contacts.tracking-link"
LINK_LIFETIME = timedelta(days=90)
TOKEN_PARAMETER = "t"  # noqa: S105 - the name of a query parameter, not a secret


def tracking_token(contact: Contact) -> str:
    return signing.TimestampSigner(salt=LINK_SALT, sep=".").sign(contact.reference)


def reference_for_token(token: str) -> str | None:
    """The contact reference a still-valid token names, or None (forged, altered or old)."""
    try:
        return signing.TimestampSigner(salt=LINK_SALT, sep=".").unsign(
            token or "", max_age=LINK_LIFETIME
        )
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None


def tracking_link(contact: Contact, language: str = "") -> str:
    """The absolute link to the contact's tracking page, in ``language`` (or the contact's)."""
    supported = {code for code, _name in settings.LANGUAGES}
    wanted = next((code for code in (language, contact.language) if code in supported), "en")
    with translation.override(wanted):
        path = reverse("portal:track_status", kwargs={"reference": contact.reference})
    query = urlencode({TOKEN_PARAMETER: tracking_token(contact)})
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}?{query}"
