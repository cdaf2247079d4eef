"""The one service behind every inbound webhook: verify, parse, keep, receive.

Order matters:

1. a body over 10 MiB is refused before anything else, and not kept;
2. an unsigned or wrongly signed body is refused and not kept (anyone can
   post to a webhook; we store only what a provider vouched for);
3. the adapter parses it; a refusal is kept as a *rejected* InboundMessage
   when it is small enough (1 MiB) to store safely, and answered 4xx;
4. an accepted delivery is kept and becomes a contact through
   ``receive_contact``, in one transaction: either both exist or neither.

A provider retrying a delivery (same message id) gets the first contact's
reference back and nothing new is written. A rejected delivery only ever adds
its own row: it never changes or removes anything already saved.
"""

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.contacts.channels import ADAPTERS
from cairn.contacts.channels.base import ChannelAdapter, InboundRejected, ParsedInbound
from cairn.contacts.channels.signatures import signature_problem
from cairn.contacts.evidence import EvidenceRejected, store_evidence
from cairn.contacts.models import InboundMessage, InboundStatus
from cairn.contacts.services import receive_contact
from cairn.events.services import record_event

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 10 * 1024 * 1024
MAX_KEPT_REJECTED_BYTES = 1024 * 1024
MAX_SOURCE = 80


class Outcome(StrEnum):
    CREATED = "created"
    DUPLICATE = "duplicate"
    UNKNOWN_CHANNEL = "unknown_channel"
    TOO_LARGE = "too_large"
    UNAUTHORISED = "unauthorised"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"  # values shared with base.Rejection
    MALFORMED = "malformed"
    INVALID = "invalid"


MESSAGES = {
    Outcome.UNKNOWN_CHANNEL: "There is no inbound webhook for this channel.",
    Outcome.TOO_LARGE: f"The body is larger than {MAX_BODY_BYTES // (1024 * 1024)} MiB.",
    Outcome.UNAUTHORISED: "A valid signature and a current timestamp are required.",
    Outcome.UNSUPPORTED_MEDIA_TYPE: "This channel does not take this content type.",
    Outcome.MALFORMED: "The body could not be read.",
    Outcome.INVALID: "The message is not valid.",
}


@dataclass(frozen=True)
class InboundResult:
    """What happened to one delivery. ``details`` are (field, message) pairs."""

    outcome: Outcome
    reference: str = ""
    message: str = ""
    details: tuple[tuple[str, str], ...] = ()

    @property
    def accepted(self) -> bool:
        return self.outcome in (Outcome.CREATED, Outcome.DUPLICATE)


def receive_inbound(
    channel: str,
    source: str | None,
    raw: bytes,
    content_type: str,
    signature_headers: Mapping[str, str],
) -> InboundResult:
    """Turn one signed provider delivery into a contact, exactly once.

    ``source`` names who delivered it (None: the channel's webhook source).
    Returns an :class:`InboundResult`; raises only for programming or
    configuration errors (ImproperlyConfigured when a production secret is
    missing), never for bad input.
    """
    adapter = ADAPTERS.get(channel)
    if adapter is None:
        return _refused(Outcome.UNKNOWN_CHANNEL)
    source = adapter.source if source is None else source
    if not source or len(source) > MAX_SOURCE:
        raise ValueError(f"source must be 1 to {MAX_SOURCE} characters")
    if len(raw) > MAX_BODY_BYTES:
        logger.info("inbound %s: refused a body over the size limit", channel)
        return _refused(Outcome.TOO_LARGE)
    problem = signature_problem(channel, raw, signature_headers)
    if problem:
        logger.warning("inbound %s: signature refused: %s", channel, problem)
        return _refused(Outcome.UNAUTHORISED)
    try:
        parsed = adapter.inbound(raw, content_type)
    except InboundRejected as rejection:
        details = ((rejection.field, rejection.message),)
        return _reject(adapter, source, raw, content_type, Outcome(rejection.kind), details)
    try:
        return _accept(adapter, source, raw, content_type, parsed)
    except ValidationError as error:
        details = tuple((name, " ".join(messages)) for name, messages in error.message_dict.items())
        return _reject(adapter, source, raw, content_type, Outcome.INVALID, details)
    except IntegrityError:
        # A concurrent delivery of the same message committed first: answer as a retry.
        existing = _accepted(adapter, source, parsed.provider_message_id)
        if existing is None:
            raise
        return InboundResult(Outcome.DUPLICATE, reference=existing.contact.reference)


def _refused(outcome: Outcome) -> InboundResult:
    return InboundResult(outcome, message=MESSAGES[outcome])


def _accepted(adapter: ChannelAdapter, source: str, message_id: str) -> InboundMessage | None:
    return (
        InboundMessage.objects.select_related("contact")
        .filter(
            channel=adapter.channel,
            source=source,
            provider_message_id=message_id,
            status=InboundStatus.ACCEPTED,
            contact__isnull=False,
        )
        .first()
    )


def _printable(value: str, limit: int) -> str:
    return "".join(char for char in value if char.isprintable())[:limit]


def _with_reply_to(parsed: ParsedInbound) -> dict:
    """Where the channel's outbound sender will answer, in one place for every channel."""
    details = dict(parsed.submission.reporter_details)
    if parsed.reply_to and not parsed.submission.anonymous:
        details["reply_to"] = parsed.reply_to
    return details


def _keep_attachments(parsed: ParsedInbound, contact) -> None:
    """Each acceptable attachment becomes evidence; a refused one stays listed in the
    contact's answers (name, type, size, SHA-256) and inside the raw message kept."""
    for attachment in parsed.attachments:
        if not attachment.content:
            continue
        try:
            store_evidence(ContentFile(attachment.content, name=attachment.name), contact=contact)
        except EvidenceRejected:
            continue


def _accept(
    adapter: ChannelAdapter, source: str, raw: bytes, content_type: str, parsed: ParsedInbound
) -> InboundResult:
    """Keep the delivery and make its contact, both or neither."""
    with transaction.atomic():
        existing = _accepted(adapter, source, parsed.provider_message_id)
        if existing is not None:
            return InboundResult(Outcome.DUPLICATE, reference=existing.contact.reference)
        submission = replace(
            parsed.submission,
            channel=adapter.channel,
            source=source,
            idempotency_key=parsed.provider_message_id,
            reporter_details=_with_reply_to(parsed),
        )
        receipt = receive_contact(submission)
        _keep_attachments(parsed, receipt.contact)
        message = InboundMessage.objects.create(
            channel=adapter.channel,
            source=source,
            provider_message_id=parsed.provider_message_id,
            content_type=_printable(content_type, 100),
            raw=raw,
            status=InboundStatus.ACCEPTED,
            contact=receipt.contact,
        )
        record(
            Operation.COLLECTION,
            object_type="inbound_message",
            object_id=message.pk,
            fields=["raw"],
            context={"channel": adapter.channel, "status": InboundStatus.ACCEPTED},
        )
    outcome = Outcome.CREATED if receipt.created else Outcome.DUPLICATE
    return InboundResult(outcome, reference=receipt.contact.reference)


def _reject(
    adapter: ChannelAdapter,
    source: str,
    raw: bytes,
    content_type: str,
    outcome: Outcome,
    details: tuple[tuple[str, str], ...],
) -> InboundResult:
    fields = ", ".join(name for name, _message in details)
    logger.info("inbound %s: rejected (%s) on %s", adapter.channel, outcome, fields)
    if len(raw) <= MAX_KEPT_REJECTED_BYTES:
        error = "; ".join(f"{name}: {message}" for name, message in details)
        _keep_rejected(adapter, source, raw, content_type, outcome, error)
    return InboundResult(outcome, message=MESSAGES[outcome], details=details)


def _keep_rejected(
    adapter: ChannelAdapter,
    source: str,
    raw: bytes,
    content_type: str,
    outcome: Outcome,
    error: str,
) -> None:
    """Store a refused body for inspection, once per distinct body. Adds one row, changes none.

    Rejected rows are keyed by the body's hash, not the provider's id: the id
    may be missing or unreadable, and a later, corrected delivery with the
    same id must still be accepted.
    """
    key = f"rejected:{hashlib.sha256(raw).hexdigest()}"
    lookup = {"channel": adapter.channel, "source": source, "provider_message_id": key}
    if InboundMessage.objects.filter(**lookup).exists():
        return
    try:
        with transaction.atomic():
            message = InboundMessage.objects.create(
                **lookup,
                content_type=_printable(content_type, 100),
                raw=raw,
                status=InboundStatus.REJECTED,
                error=error,
            )
            record(
                Operation.COLLECTION,
                object_type="inbound_message",
                object_id=message.pk,
                fields=["raw"],
                context={"channel": adapter.channel, "status": InboundStatus.REJECTED},
            )
            record_event(
                "inbound.rejected",
                subject_type="inbound_message",
                subject_id=message.pk,
                channel=adapter.channel,
                data={"reason": str(outcome)},
            )
    except IntegrityError:
        pass  # the same body, refused concurrently: it is kept once
