"""Where a handler goes from a decision to do its work: the case, a booking, a referral.

Each link is shown only when the page it leads to exists (a force may run
Cairn without, say, the partner portal) and when the next step asks for it.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from cairn.cases.queries import case_for_contact
from cairn.contacts.models import Contact
from cairn.triage.models import NextStep, NextStepKind, NextStepStatus


@dataclass(frozen=True)
class NextStepLink:
    text: str
    url: str
    primary: bool = False


def _url(name: str, *args: object) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


# (next step kind, link text, URL name, what the URL takes: "case" or "contact" reference, or "")
STEP_LINKS = (
    (
        NextStepKind.APPOINTMENT_TO_BOOK,
        _("Book an appointment"),
        "workspace:appointments_book",
        "contact",
    ),
    (NextStepKind.REFERRAL, _("Refer to a partner"), "workspace:partners_refer", "case"),
    (NextStepKind.DISPATCH_REQUEST, _("Open the dispatch board"), "workspace:dispatch_board", ""),
)


def next_step_links(contact: Contact, step: NextStep | None) -> list[NextStepLink]:
    """The links for the contact's next step, the one that does its work first."""
    case = case_for_contact(contact)
    links = []
    if step is not None and step.status == NextStepStatus.OPEN:
        for kind, text, name, takes in STEP_LINKS:
            if step.kind != kind:
                continue
            if takes == "case":
                url = _url(name, case.reference) if case else None
            elif takes == "contact":
                url = _url(name, contact.reference)
            else:
                url = _url(name)
            if url:
                links.append(NextStepLink(str(text), url, primary=True))
    if case is not None:
        url = _url("workspace:case_detail", case.reference)
        if url:
            links.append(
                NextStepLink(str(_("Open case %(reference)s") % {"reference": case.reference}), url)
            )
    return links
