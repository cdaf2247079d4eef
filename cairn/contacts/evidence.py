"""Files sent with a report: checked by content, kept unaltered, shown only as a safe copy.

What is refused, each with a plain message: a file over the size limit, a type
we do not take (decided from its bytes, never its name or declared type), a
name trying to climb directories, a known test virus, a file that is two
formats at once (an image with data after its end, markup inside, a PDF not
starting at byte 0 or carrying scripts or embedded files), and image
"decompression bombs" (huge dimensions in a small file). Archives are never
taken, so zip bombs never reach us.

Accepted files are stored under a random name with their SHA-256; images get a
re-encoded display copy without metadata (location, camera, times). A virus
scan runs in a task when a scanner is configured; until then the file is
"waiting for a virus scan" and staff see that.
"""

import hashlib
import io
import re
import uuid
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageOps, UnidentifiedImageError

from cairn.audit.models import Operation
from cairn.audit.services import record
from cairn.contacts.image_structure import has_trailing_data
from cairn.contacts.models import Contact, Evidence, ReportDraft


def max_file_bytes() -> int:
    return settings.CAIRN_EVIDENCE_MAX_BYTES


def max_files_per_report() -> int:
    return settings.CAIRN_EVIDENCE_MAX_FILES


MAX_IMAGE_PIXELS = 40_000_000  # about 7,000 × 5,700: bigger than any phone camera

IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}
OTHER_TYPES = {
    "application/pdf": "pdf",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/x-wav": "wav",
}
ACCEPTED_TYPES = {**IMAGE_TYPES, **OTHER_TYPES}

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!"
MARKUP = re.compile(rb"<\s*(html|script|svg|iframe|object|embed)\b", re.IGNORECASE)
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b")
UNSAFE_NAME = re.compile(r"(^|[\\/])\.\.([\\/]|$)|[\\/\x00-\x1f\x7f]")


class EvidenceRejected(Exception):
    """The file was refused; ``message`` says why, in the person's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Checked:
    content: bytes
    content_type: str
    extension: str
    safe_name: str


def _safe_name(name: str) -> str:
    if not name or UNSAFE_NAME.search(name):
        raise EvidenceRejected(
            _("The file's name is not allowed. Rename it to a simple name and try again.")
        )
    return name.strip()[:200] or "file"


def _read_capped(uploaded) -> bytes:
    """Read at most the limit plus one byte: never trust the declared size."""
    if getattr(uploaded, "size", 0) and uploaded.size > max_file_bytes():
        raise _too_big()
    buffer = io.BytesIO()
    for chunk in uploaded.chunks():
        buffer.write(chunk)
        if buffer.tell() > max_file_bytes():
            raise _too_big()
    return buffer.getvalue()


def _too_big() -> EvidenceRejected:
    return EvidenceRejected(
        _("The file is too big. Each file must be smaller than %(size)d MB.")
        % {"size": max_file_bytes() // (1024 * 1024)}
    )


def _not_accepted() -> EvidenceRejected:
    return EvidenceRejected(
        _(
            "We cannot accept this type of file. Send photos (JPEG, PNG, GIF, WebP), "
            "PDF documents, videos (MP4, MOV) or sound recordings (MP3, M4A, WAV)."
        )
    )


def _unsafe() -> EvidenceRejected:
    return EvidenceRejected(
        _(
            "This file looks unsafe, so we cannot accept it. If it is important, tell us about it "
            "in your report and an officer will arrange another way to get it."
        )
    )


def _check_image(content: bytes, content_type: str) -> None:
    try:
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise _unsafe()
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as error:
        raise _unsafe() from error
    if has_trailing_data(content, content_type):
        raise _unsafe()  # more after the end of the picture: a second file hidden in it


def _check_pdf(content: bytes) -> None:
    if not content.startswith(b"%PDF-") or b"%%EOF" not in content[-2048:]:
        raise _unsafe()
    if PDF_ACTIVE.search(content):
        raise _unsafe()


def check_file(name: str, uploaded) -> Checked:
    """Every check, in order; raises EvidenceRejected with the first reason."""
    safe_name = _safe_name(name)
    content = _read_capped(uploaded)
    if not content:
        raise EvidenceRejected(_("The file is empty. Choose another file."))
    if EICAR in content[:256]:
        raise _unsafe()
    kind = filetype.guess(content[:8192])
    if kind is None or kind.mime not in ACCEPTED_TYPES:
        raise _not_accepted()
    if MARKUP.search(content[:4096]):
        raise _unsafe()
    if kind.mime in IMAGE_TYPES:
        _check_image(content, kind.mime)
    elif kind.mime == "application/pdf":
        _check_pdf(content)
    return Checked(content, kind.mime, ACCEPTED_TYPES[kind.mime], safe_name)


def display_copy(content: bytes, content_type: str) -> bytes | None:
    """A re-encoded image without metadata, turned the right way up; None for other types."""
    if content_type not in IMAGE_TYPES:
        return None
    with Image.open(io.BytesIO(content)) as image:
        upright = ImageOps.exif_transpose(image)
        output = io.BytesIO()
        if upright.mode in ("RGBA", "LA", "P"):
            upright.convert("RGBA").save(output, format="PNG", optimize=True)
        else:
            upright.convert("RGB").save(output, format="JPEG", quality=88)
        return output.getvalue()


def store_evidence(
    uploaded, *, draft: ReportDraft | None = None, contact: Contact | None = None
) -> Evidence:
    """Check and keep one file: for a report in progress (``draft``) or a contact
    that arrived with files (an email's attachments)."""
    if (draft is None) == (contact is None):
        raise ValueError("give exactly one of draft or contact")
    if draft is not None and draft.contact_id:
        raise EvidenceRejected(_("This report has already been sent."))
    owner = {"draft": draft} if draft is not None else {"contact": contact}
    if Evidence.objects.filter(**owner).count() >= max_files_per_report():
        limit = max_files_per_report()
        raise EvidenceRejected(
            ngettext(
                "You can add up to %(count)d file to one report.",
                "You can add up to %(count)d files to one report.",
                limit,
            )
            % {"count": limit}
        )
    checked = check_file(getattr(uploaded, "name", ""), uploaded)
    stem = uuid.uuid4().hex
    display = display_copy(checked.content, checked.content_type)
    with transaction.atomic():
        evidence = Evidence(
            **owner,
            original_name=checked.safe_name,
            content_type=checked.content_type,
            size=len(checked.content),
            sha256=hashlib.sha256(checked.content).hexdigest(),
        )
        evidence.original.save(
            f"{stem}.{checked.extension}", ContentFile(checked.content), save=False
        )
        if display is not None:
            extension = "png" if display.startswith(b"\x89PNG") else "jpg"
            evidence.display.save(f"{stem}.{extension}", ContentFile(display), save=False)
        evidence.save()
        record(
            Operation.COLLECTION,
            object_type="evidence",
            object_id=evidence.pk,
            fields=["file"],
            context={"content_type": checked.content_type},
        )
        _schedule_scan(evidence)
    return evidence


def remove_evidence(evidence: Evidence, *, draft: ReportDraft) -> None:
    """The person removes a file from a report they have not sent yet."""
    if evidence.draft_id != draft.pk or draft.contact_id:
        raise EvidenceRejected(_("This file cannot be removed."))
    with transaction.atomic():
        record(Operation.ERASURE, object_type="evidence", object_id=evidence.pk, fields=["file"])
        evidence.delete()
        transaction.on_commit(lambda: _delete_files(evidence))


def _delete_files(evidence: Evidence) -> None:
    for field in (evidence.original, evidence.display):
        if field:
            field.storage.delete(field.name)


def _schedule_scan(evidence: Evidence) -> None:
    from cairn.contacts.scanning import scanner_configured
    from cairn.contacts.tasks import scan_evidence

    if scanner_configured():
        scan_evidence.defer(evidence_id=evidence.pk)
