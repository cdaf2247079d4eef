"""Online reports in progress: kept on the server, resumed with a secret link, sent once.

The resume token (192 random bits) is the only key to a draft; only its
SHA-256 is stored. Sending a draft locks it, so a double click, a retry after
a crash or two tabs make one contact. Nothing here stores an IP address or a
user agent, and the anonymous path keeps only the hour (see
docs/anonymous-reporting.md).

Drafts write no audit or domain events of their own: a draft is the person's
own unsent answers, linked to nobody, and an event per answer would keep the
precise times the anonymous path promises not to. The collection is audited
when the report is sent (``receive_contact``), and each file when it is stored.
"""

import hashlib
import secrets
from dataclasses import replace
from datetime import UTC, timedelta
from typing import Any

from django.db import transaction
from django.db.models.functions import TruncHour
from django.utils import timezone

from cairn.contacts.evidence import remove_evidence
from cairn.contacts.models import Contact, Evidence, ReportDraft
from cairn.contacts.report_forms import first_problem, is_anonymous, load_forms, to_submission
from cairn.contacts.services import Receipt, receive_contact

DRAFT_LIFETIME = timedelta(days=7)
SOURCE = "portal"


class DraftSubmitted(Exception):
    """The draft has already been sent; it cannot change any more."""


class DraftIncomplete(Exception):
    """A question shown is unanswered or its answer no longer passes its checks."""

    def __init__(self, question_id: str, message: str):
        super().__init__(question_id)
        self.question_id = question_id
        self.message = message


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_draft(form_slug: str, language: str) -> tuple[ReportDraft, str]:
    """A new, empty draft and the token for its resume link (given once, never stored)."""
    if form_slug not in load_forms():
        raise LookupError(f"no report form {form_slug!r}")
    token = secrets.token_urlsafe(24)
    draft = ReportDraft.objects.create(
        token_hash=hash_token(token),
        form_slug=form_slug,
        language=language,
        expires_at=timezone.now() + DRAFT_LIFETIME,
    )
    return draft, token


def draft_for_token(token: str) -> ReportDraft | None:
    """The draft a resume link opens, or None when unknown or expired."""
    if not token or len(token) > 128:
        return None
    return (
        ReportDraft.objects.select_related("contact")
        .filter(token_hash=hash_token(token), expires_at__gt=timezone.now())
        .first()
    )


def save_answer(draft: ReportDraft, question_id: str, value: Any) -> None:
    """Keep one checked answer. Row-locked, so two tabs never lose each other's answers."""
    with transaction.atomic():
        locked = ReportDraft.objects.select_for_update().get(pk=draft.pk)
        if locked.contact_id:
            raise DraftSubmitted
        locked.answers[question_id] = value
        locked.save(update_fields=["answers", "updated_at"])
    draft.answers = locked.answers


def draft_files(draft: ReportDraft) -> list[Evidence]:
    """The files added to this draft so far, oldest first."""
    return list(Evidence.objects.filter(draft=draft).order_by("uploaded_at", "pk"))


def _to_the_hour(field: str) -> TruncHour:
    return TruncHour(field, tzinfo=UTC)


def _forget_precise_times(draft: ReportDraft, contact: Contact) -> None:
    """The anonymous path keeps the hour only, on every row that points at the contact."""
    Contact.objects.filter(pk=contact.pk).update(created_at=_to_the_hour("created_at"))
    ReportDraft.objects.filter(pk=draft.pk).update(
        created_at=_to_the_hour("created_at"),
        updated_at=_to_the_hour("updated_at"),
        expires_at=_to_the_hour("expires_at"),
    )
    Evidence.objects.filter(contact=contact).update(uploaded_at=_to_the_hour("uploaded_at"))


def submit_draft(draft: ReportDraft, language: str) -> Receipt:
    """Send the draft: exactly one contact, however many times this is called.

    Raises DraftIncomplete when an answer is missing or no longer valid (the
    answers are checked again here: the page is only one client).
    """
    form = load_forms().get(draft.form_slug)
    if form is None:
        raise LookupError(f"no report form {draft.form_slug!r}")
    with transaction.atomic():
        locked = ReportDraft.objects.select_for_update().get(pk=draft.pk)
        if locked.contact_id:
            return Receipt.for_existing(locked.contact)
        problem = first_problem(form, locked.answers, language)
        if problem:
            question, message = problem
            raise DraftIncomplete(question.id, message)
        submission = replace(
            to_submission(form, locked.answers, language),
            source=SOURCE,
            idempotency_key=f"draft:{locked.pk}",
        )
        receipt = receive_contact(submission)
        Evidence.objects.filter(draft=locked, contact__isnull=True).update(contact=receipt.contact)
        anonymous = is_anonymous(form, locked.answers)
        locked.contact = receipt.contact
        locked.answers = {}  # the contact has them now; no second copy
        locked.save(update_fields=["contact", "answers", "updated_at"])
        if anonymous:
            _forget_precise_times(locked, receipt.contact)
    draft.contact = receipt.contact
    draft.answers = {}
    return receipt


def purge_expired_drafts() -> int:
    """Delete drafts never sent whose link has expired, and their files. Returns how many."""
    expired = ReportDraft.objects.filter(contact__isnull=True, expires_at__lte=timezone.now())
    count = 0
    for draft in expired.iterator():
        with transaction.atomic():
            for evidence in Evidence.objects.filter(draft=draft, contact__isnull=True):
                remove_evidence(evidence, draft=draft)
            draft.delete()
        count += 1
    return count
