"""A member of the public's own contacts with us, once they prove they hold an
email address or mobile number (the portal's "Your contacts with us").

The proof is a six-digit code (``cairn.notify.codes``) sent to the address,
and only when a person record holds it; an unknown address gets the same
answer and a code row that nothing can match, so the page never says whether
we know someone. What is shown is what the track-my-report page shows: the
reference, the date, what it was about and the status in plain words; never
markers, assessments, narratives or other people.
"""

from dataclasses import dataclass
from datetime import date

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.contacts.call_services import CALL_CATEGORIES
from cairn.contacts.models import Contact, Reason, Status
from cairn.contacts.queries import STATUS_WORDS
from cairn.contacts.report_forms import load_forms
from cairn.notify.codes import CODE_LIFETIME, CodeCheck, check_code, issue_code
from cairn.notify.models import MessageChannel
from cairn.notify.services import queue_message
from cairn.people.identity import PHONE_REGION, normalise_email, normalise_phone
from cairn.people.models import Identifier, IdentifierKind, MatterRoleKind, Person

PURPOSE = "subject's own history"
CODE_PURPOSE = "own-history"
CODE_TEMPLATE = "verification_code"
SHOWN = ["contacts.reference", "contacts.received_at", "contacts.category", "contacts.status"]
MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}
MAX_MERGE_DEPTH = 20  # a merge chain longer than this is a data fault, not a person


@dataclass(frozen=True)
class OwnContact:
    """One contact as the person who made it may see it."""

    reference: str
    received_on: date
    about: str
    status: str
    status_words: str | Promise


def read_identifier(typed: str) -> tuple[str, str]:
    """(kind, normalised value) from what a person typed; ValidationError if unusable.

    An address with an @ is an email address; anything else must be a mobile
    number, since a code goes to a phone by text message.
    """
    typed = (typed or "").strip()
    if "@" in typed:
        value = normalise_email(typed)
        if not value:
            raise ValidationError(
                _("Enter an email address in the right format, like name@example.com")
            )
        return IdentifierKind.EMAIL, value
    value = normalise_phone(typed)
    if not value:
        raise ValidationError(
            _("Enter an email address, or a mobile phone number like 07700 900123")
        )
    if phonenumbers.number_type(phonenumbers.parse(value, PHONE_REGION)) not in MOBILE_TYPES:
        raise ValidationError(_("Enter a mobile phone number: we send the code by text message"))
    return IdentifierKind.PHONE, value


def _normalised(kind: str, value: str) -> str:
    if kind == IdentifierKind.EMAIL:
        return normalise_email(value)
    if kind == IdentifierKind.PHONE:
        return normalise_phone(value)
    raise ValueError("an identifier is an email address or a phone number")


def _subject(kind: str, value: str) -> str:
    return f"{kind}:{_normalised(kind, value)}"


def send_code(kind: str, value: str, *, language: str) -> int:
    """Issue a code for the identifier, sent only if a person holds it. Returns the code's id.

    The caller keeps the id (in the session) and answers the same whatever
    happened here.
    """
    value = _normalised(kind, value)
    with transaction.atomic():
        known = Identifier.objects.filter(kind=kind, value=value).exists()
        issued = issue_code(purpose=CODE_PURPOSE, subject=_subject(kind, value), sendable=known)
        if known:
            queue_message(
                channel=MessageChannel.EMAIL
                if kind == IdentifierKind.EMAIL
                else MessageChannel.SMS,
                to=value,
                template=CODE_TEMPLATE,
                language=language,
                context={
                    "code": issued.plain,
                    "minutes": int(CODE_LIFETIME.total_seconds() // 60),
                },
                idempotency_key=f"own-history-code:{issued.code.pk}",
            )
    return issued.code.pk


def check_history_code(code_id: int, kind: str, value: str, typed: str) -> CodeCheck:
    return check_code(code_id, purpose=CODE_PURPOSE, subject=_subject(kind, value), typed=typed)


# The history ---------------------------------------------------------------------------------


def _live_people(kind: str, value: str) -> list[int]:
    """Live records holding the identifier: a merged record stands for its survivor."""
    merged_into = dict(
        Person.objects.filter(identifiers__kind=kind, identifiers__value=value).values_list(
            "pk", "merged_into_id"
        )
    )
    live = set()
    for person_id, parent in merged_into.items():
        current, hops = person_id, 0
        while parent is not None and hops < MAX_MERGE_DEPTH:
            current, hops = parent, hops + 1
            parent = Person.objects.filter(pk=current).values_list("merged_into_id", flat=True)[0]
        if parent is None:
            live.add(current)
    return sorted(live)


def _with_absorbed(live: list[int]) -> set[int]:
    """The live records and every record merged into them (their roles are the person's too)."""
    people, frontier = set(live), set(live)
    for _hop in range(MAX_MERGE_DEPTH):
        frontier = (
            set(Person.objects.filter(merged_into__in=frontier).values_list("pk", flat=True))
            - people
        )
        if not frontier:
            break
        people |= frontier
    return people


def _own_contacts(kind: str, value: str) -> tuple[list[int], list[Contact]]:
    live = _live_people(kind, value)
    if not live:
        return [], []
    contacts = (
        Contact.objects.filter(
            person_roles__person_id__in=_with_absorbed(live),
            person_roles__role=MatterRoleKind.REPORTER,
            person_roles__ended_at__isnull=True,
        )
        .only(
            "reference",
            "received_at",
            "category",
            "reason",
            "status",
            "reporter_email",
            "reporter_phone",
        )
        .distinct()
        .order_by("-received_at", "-pk")
    )
    return live, [c for c in contacts if _shown_to_holder(c, kind, value, shared=len(live) > 1)]


def _shown_to_holder(contact: Contact, kind: str, value: str, *, shared: bool) -> bool:
    """A number or address several people hold (a family mobile) proves only itself: its
    holder sees the contacts made with it, not everything the others reported."""
    if not shared:
        return True
    given = contact.reporter_email if kind == "email" else contact.reporter_phone
    return _normalised(kind, given) == value


def category_label(contact: Contact) -> str:
    """What the contact was about: its report form's title or call category, else its reason."""
    if contact.category in CALL_CATEGORIES:
        return str(CALL_CATEGORIES[contact.category])
    if contact.category:
        language = translation.get_language() or "en"
        for form in load_forms().values():
            if form.category == contact.category:
                return form.title(language)
    return str(Reason(contact.reason).label) if contact.reason in Reason.values else ""


def contacts_for_verified_identifier(kind: str, value: str) -> list[OwnContact]:
    """The contacts the holder of a verified identifier reported, newest first.

    Only for an identifier its holder has just proved (a code sent to it). One
    audit consultation row per live person read, with the purpose "subject's
    own history"; the channel is the caller's (web for the portal).
    """
    value = _normalised(kind, value)
    live, contacts = _own_contacts(kind, value)
    for person_id in live:
        record(
            Operation.CONSULTATION,
            object_type="person",
            object_id=person_id,
            fields=SHOWN,
            purpose=PURPOSE,
            context={"by": "the person, verified by a code", "contacts": len(contacts)},
        )
    return [
        OwnContact(
            reference=contact.reference,
            received_on=timezone.localtime(contact.received_at).date(),
            about=category_label(contact),
            status=contact.status,
            status_words=STATUS_WORDS[Status(contact.status)][0],
        )
        for contact in contacts
    ]


def own_contact(kind: str, value: str, reference: str) -> Contact | None:
    """The contact with this reference if the verified identifier's holder reported it."""
    value = _normalised(kind, value)
    live = _live_people(kind, value)
    if not live:
        return None
    contact = (
        Contact.objects.filter(
            reference=(reference or "").strip().upper(),
            person_roles__person_id__in=_with_absorbed(live),
            person_roles__role=MatterRoleKind.REPORTER,
            person_roles__ended_at__isnull=True,
        )
        .distinct()
        .first()
    )
    if contact is None or not _shown_to_holder(contact, kind, value, shared=len(live) > 1):
        return None
    return contact
