"""Track my report: the reference and the code given at submission show the status."""

import functools
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cairn.cases.queries import public_updates_for_contact
from cairn.contacts.models import Contact
from cairn.contacts.queries import PublicStatus, find_contact_for_tracking, public_status
from cairn.contacts.tracking_links import TOKEN_PARAMETER, reference_for_token
from cairn.portal.appointments.panel import appointment_panel
from cairn.portal.follow_up.panel import follow_up_panel
from cairn.throttle.services import Limit, count_attempt, is_limited

# What else the person can do from their tracking page, each from its own module:
# a function (request, contact) -> Panel | None, shown in this order.
TRACKING_PANELS = (appointment_panel, follow_up_panel)

PER_CLIENT = Limit("track-client", count=20, window=timedelta(hours=1))
PER_REFERENCE = Limit("track-reference", count=10, window=timedelta(hours=1))
SESSION_KEY = "cairn_tracked"


class TrackForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference"),
        max_length=24,
        help_text=_("It starts with CRN, for example CRN-261124-00042"),
        error_messages={"required": _("Enter your reference")},
        widget=forms.TextInput(
            attrs={
                "class": "ds_input ds_input--fixed-20",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
    )
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=64,
        help_text=_("The code we gave you when you made the report"),
        error_messages={"required": _("Enter your tracking code")},
        widget=forms.TextInput(
            attrs={"class": "ds_input", "autocomplete": "off", "spellcheck": "false"}
        ),
    )

    def clean_reference(self) -> str:
        return self.cleaned_data["reference"].strip().upper()


def _client_key(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def track_start(request):
    form = TrackForm(request.POST or None, initial={"reference": request.GET.get("reference", "")})
    problem = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        reference = form.cleaned_data["reference"]
        if is_limited(PER_CLIENT, _client_key(request)) or is_limited(PER_REFERENCE, reference):
            problem = _(
                "Too many attempts. Try again in an hour, or call 101 and quote your reference."
            )
            status = 429
        else:
            contact = find_contact_for_tracking(reference, form.cleaned_data["code"])
            if contact is not None:
                _remember(request, contact.reference)
                return redirect("portal:track_status", reference=contact.reference)
            count_attempt(PER_CLIENT, _client_key(request))
            count_attempt(PER_REFERENCE, reference)
            problem = _("The reference and tracking code do not match. Check both and try again.")
            status = 400
    return render(
        request, "portal/track_start.html", {"form": form, "problem": problem}, status=status
    )


def _remember(request, reference: str) -> None:
    tracked = request.session.get(SESSION_KEY, [])
    if reference not in tracked:
        request.session[SESSION_KEY] = [*tracked[-4:], reference]


def may_track(request, reference: str) -> bool:
    """Whether this browser has proved it may see ``reference`` (code or signed link)."""
    return reference in request.session.get(SESSION_KEY, [])


def for_tracked_report(view):
    """A view under /track/<reference>/… that only a browser that proved the report may use.

    The view is called with the contact in place of the reference; any other
    browser is sent to the tracking form with the reference filled in.
    """

    @functools.wraps(view)
    def tracked(request, reference: str, *args, **kwargs):
        if not may_track(request, reference):
            return redirect(f"{reverse('portal:track')}?{urlencode({'reference': reference})}")
        contact = Contact.objects.filter(reference=reference).first()
        if contact is None:
            raise Http404
        return view(request, contact, *args, **kwargs)

    return tracked


def track_status(request, reference: str):
    token = request.GET.get(TOKEN_PARAMETER)
    if token is not None and reference_for_token(token) == reference:
        # A link from one of our messages: remember it in the session and drop the
        # token from the address bar (and from any Referer the page sends).
        _remember(request, reference)
        return redirect(request.path)
    if not may_track(request, reference):
        return redirect(f"{reverse('portal:track')}?{urlencode({'reference': reference})}")
    contact = Contact.objects.filter(reference=reference).first()
    if contact is None:
        raise Http404
    status = status_with_updates(contact)
    panels = [panel for make in TRACKING_PANELS if (panel := make(request, contact)) is not None]
    return render(request, "portal/track_status.html", {"status": status, "panels": panels})


def status_with_updates(contact: Contact) -> PublicStatus:
    """The contact's status in plain words with its case's public updates (if it has a case)."""
    return replace(public_status(contact), updates=public_updates_for_contact(contact))
