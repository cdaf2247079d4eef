"""An email (a raw RFC 5322 message, as a mail gateway forwards it) into a contact.

Sender address -> ``reporter_email`` (display name -> ``reporter_name``);
Subject and body -> narrative (text/plain, else the HTML part as text);
Message-ID -> provider message id (a hash of the message when there is none);
attachments are listed in ``answers["attachments"]`` (name, declared and
detected type, size, SHA-256). The files themselves stay inside the stored
raw message until the evidence module can take files for a contact.
"""

import hashlib
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import filetype

from cairn.contacts.channels.base import Attachment, InboundRejected, ParsedInbound, Rejection
from cairn.contacts.channels.email.html import html_to_text
from cairn.contacts.channels.payload import (
    clean_text,
    email_address,
    fit_narrative,
    require_content_type,
)
from cairn.contacts.models import Channel
from cairn.contacts.services import ContactSubmission

CONTENT_TYPES = ("message/rfc822",)
MAX_LISTED_ATTACHMENTS = 50
MAX_MESSAGE_ID = 200
MAX_SUBJECT = 500
MAX_HTML_CHARS = 1024 * 1024  # the narrative keeps 20,000 characters: more markup is waste

# Limits checked on the raw bytes before parsing. The email package's cost grows
# faster than the input for many MIME parts and for structured headers with many
# items. Measured on 3.12: 100,000 parts take 15 s; 200 parts whose Content-Type
# has 95 parameters take 9 s (with 12 parameters, 0.5 s); a 1 MB encoded Subject
# takes gigabytes. A mail gateway relays whatever the public sends; real mail is
# far inside these limits, and a refused message is kept for inspection.
MAX_BOUNDARY_LINES = 200  # lines starting "--": MIME boundaries, and the odd rule in text
MAX_MIME_PARAMETERS = 12  # ';' and '(' (comments) in a Content-Type or -Disposition
HEADER_LIMITS = {  # the headers the parser or this module reads: name -> longest, unfolded
    b"content-type": 1024,
    b"content-disposition": 1024,
    b"content-transfer-encoding": 1024,
    b"from": 2048,
    b"to": 4096,
    b"message-id": 1024,
    b"subject": 16 * 1024,
}
_LINE_BREAK = rb"(?:\r\n|\r|\n)"
_PARSED_HEADER = re.compile(
    rb"(?im)(?:^|(?<=\r))"  # the parser also ends lines with a bare CR
    rb"(" + b"|".join(re.escape(name) for name in HEADER_LIMITS) + rb")"
    rb"[ \t]*:[^\r\n]*(?:" + _LINE_BREAK + rb"[ \t][^\r\n]*)*"
)


@dataclass(frozen=True)
class _Read:
    message_id: str
    sender_name: str
    sender_address: str
    to: list[str]
    subject: str
    body: str
    body_format: str
    attachments: list[Attachment]
    attachment_count: int


def _text_of(part: EmailMessage) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError):  # an unknown or wrong charset
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


def _body(plain: EmailMessage | None, html: EmailMessage | None) -> tuple[str, str]:
    if plain is not None:
        return _text_of(plain), "plain"
    if html is not None:
        return html_to_text(_text_of(html)[:MAX_HTML_CHARS]), "html"
    return "", ""


def _leaves(part: EmailMessage):
    """Every non-multipart part, depth first; an attached email is one leaf."""
    if part.is_multipart() and part.get_content_maintype() == "multipart":
        for child in part.iter_parts():
            yield from _leaves(child)
    else:
        yield part


def _safe_file_name(name: str | None, number: int) -> str:
    name = clean_text(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if char.isprintable()).strip()
    return name[:200] or f"attachment-{number}"


def _attachment(part: EmailMessage, number: int) -> Attachment:
    if part.get_content_maintype() == "message":
        content = part.as_bytes()
    else:
        content = part.get_payload(decode=True) or b""
    return Attachment(
        name=_safe_file_name(part.get_filename(), number),
        content_type=clean_text(part.get_content_type())[:100],
        detected_type=(filetype.guess_mime(content[:8192]) or "") if content else "",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )


def _is_attachment(part: EmailMessage, body_parts: set[int]) -> bool:
    if id(part) in body_parts:
        return False
    if part.get_content_disposition() == "attachment" or part.get_filename():
        return True
    # An inline text/html alternative is another rendering of the body, not a file.
    return part.get_content_maintype() != "text"


def _sender(message: EmailMessage) -> tuple[str, str]:
    header = message["From"]
    addresses = getattr(header, "addresses", ()) if header is not None else ()
    if not addresses or not addresses[0].addr_spec:
        raise InboundRejected("from", "The email has no sender address.")
    first = addresses[0]
    return clean_text(first.display_name or ""), clean_text(first.addr_spec)


def _read(raw: bytes) -> _Read:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    if not isinstance(message, EmailMessage) or not message.keys():
        raise InboundRejected("body", "This is not an email message.", Rejection.MALFORMED)
    sender_name, sender_address = _sender(message)
    message_id = clean_text(str(message["Message-ID"] or "")).strip()
    to_header = message["To"]
    to = [clean_text(a.addr_spec) for a in getattr(to_header, "addresses", ())][:20]
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    body, body_format = _body(plain, html)
    body_parts = {id(part) for part in (plain, html) if part is not None}
    attachments: list[Attachment] = []
    count = 0
    for part in _leaves(message):
        if _is_attachment(part, body_parts):
            count += 1
            if len(attachments) < MAX_LISTED_ATTACHMENTS:
                attachments.append(_attachment(part, count))
    return _Read(
        message_id=message_id,
        sender_name=sender_name,
        sender_address=sender_address,
        to=to,
        subject=clean_text(str(message["Subject"] or "")).strip(),
        body=clean_text(body).strip(),
        body_format=body_format,
        attachments=attachments,
        attachment_count=count,
    )


def _provider_message_id(read: _Read, raw: bytes) -> str:
    if read.message_id:
        if len(read.message_id) > MAX_MESSAGE_ID:
            raise InboundRejected("message_id", "The Message-ID is too long.")
        return read.message_id
    # No Message-ID (allowed by RFC 5322): the same bytes redelivered are the same message.
    return f"sha256:{hashlib.sha256(raw).hexdigest()}"


def _check_limits(raw: bytes) -> None:
    if b"\x00" in raw:
        raise InboundRejected("body", "An email cannot contain NUL bytes.", Rejection.MALFORMED)
    if raw.count(b"\n--") + raw.count(b"\r--") + raw.startswith(b"--") > MAX_BOUNDARY_LINES:
        raise InboundRejected("body", f"An email can have at most {MAX_BOUNDARY_LINES} parts.")
    for match in _PARSED_HEADER.finditer(raw):
        name = match.group(1).lower()
        header = match.group(0)
        if len(header) > HEADER_LIMITS[name] or (
            name.startswith(b"content-")
            and header.count(b";") + header.count(b"(") > MAX_MIME_PARAMETERS
        ):
            label = name.decode("ascii")
            raise InboundRejected(label, f"The {label} header is too long.")


def parse(raw: bytes, content_type: str) -> ParsedInbound:
    require_content_type(content_type, CONTENT_TYPES)
    _check_limits(raw)
    try:
        read = _read(raw)
    except InboundRejected:
        raise
    except Exception as error:
        # The email package meets hostile input with many kinds of exception
        # (IndexError, AttributeError, HeaderParseError…). Retrying cannot
        # help, so refuse the message; the raw bytes are kept for inspection.
        raise InboundRejected(
            "body", "The email could not be read.", Rejection.MALFORMED
        ) from error
    if len(read.sender_name) > 200:
        raise InboundRejected("from", "The sender's name is too long.")
    sender = email_address(read.sender_address, "from")
    provider_message_id = _provider_message_id(read, raw)
    subject = read.subject[:MAX_SUBJECT]
    if not (subject or read.body or read.attachments):
        raise InboundRejected("body", "The email is empty.")
    narrative, shortened = fit_narrative("\n\n".join(p for p in (subject, read.body) if p))
    answers: dict[str, Any] = {"email_subject": subject, "email_to": read.to}
    if read.body_format:
        answers["email_body_format"] = read.body_format
    if read.attachment_count:
        answers["attachments"] = [item.as_answer() for item in read.attachments]
        answers["attachment_count"] = read.attachment_count
    if shortened:
        answers["narrative_shortened"] = True
    return ParsedInbound(
        provider_message_id=provider_message_id,
        submission=ContactSubmission(
            channel=Channel.EMAIL,
            narrative=narrative,
            reporter_name=read.sender_name,
            reporter_email=sender,
            preferred_contact=Channel.EMAIL,
            answers={key: value for key, value in answers.items() if value not in ("", [])},
        ),
        attachments=read.attachments,
        reply_to=sender,
    )
