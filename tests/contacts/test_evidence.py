import hashlib
import io
import os
import socket
import struct
import threading
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from cairn.audit.models import AuditEvent
from cairn.contacts.evidence import (
    EvidenceRejected,
    check_file,
    remove_evidence,
    store_evidence,
)
from cairn.contacts.models import Evidence, ReportDraft, ScanStatus
from cairn.contacts.tasks import scan_evidence
from tests.contacts import evidence_files as files


@pytest.fixture
def draft(db):
    return ReportDraft.objects.create(
        token_hash="x" * 64, form_slug="theft", expires_at=timezone.now() + timedelta(days=7)
    )


def upload(content: bytes, name: str = "photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_photo_is_kept_unaltered_with_its_sha256(draft):
    original = files.jpeg()
    evidence = store_evidence(upload(original), draft=draft)
    assert evidence.content_type == "image/jpeg"
    assert evidence.sha256 == hashlib.sha256(original).hexdigest()
    with evidence.original.open("rb") as handle:
        assert handle.read() == original


def test_the_display_copy_has_no_metadata(draft):
    original = files.jpeg(with_metadata=True)
    assert Image.open(io.BytesIO(original)).getexif()  # the fixture really has EXIF and GPS
    evidence = store_evidence(upload(original), draft=draft)
    with evidence.display.open("rb") as handle:
        copy = Image.open(io.BytesIO(handle.read()))
        assert not copy.getexif()
        assert "exif" not in copy.info


def test_the_type_comes_from_the_bytes_not_the_name(draft):
    evidence = store_evidence(upload(files.png(), name="holiday.jpg"), draft=draft)
    assert evidence.content_type == "image/png"
    assert evidence.original.name.endswith(".png")


def test_a_pdf_is_accepted_without_a_display_copy(draft):
    evidence = store_evidence(upload(files.pdf(), "letter.pdf", "application/pdf"), draft=draft)
    assert evidence.content_type == "application/pdf"
    assert not evidence.display


def test_upload_writes_a_collection_audit_event(draft):
    evidence = store_evidence(upload(files.jpeg()), draft=draft)
    event = AuditEvent.objects.get(object_type="evidence", object_id=str(evidence.pk))
    assert event.operation == "collection"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("eicar.com", files.EICAR, "looks unsafe"),
        ("eicar.jpg", files.EICAR, "looks unsafe"),
        ("polyglot.jpg", files.jpeg() + files.zip_archive(), "looks unsafe"),
        ("polyglot2.jpg", files.jpeg() + b"PK\x03\x04junk\xff\xd9", "looks unsafe"),
        ("trailing.png", files.png() + b"<script>alert(1)</script>", "looks unsafe"),
        ("html.jpg", b"\xff\xd8\xff\xe0<html><script>alert(1)</script>", "looks unsafe"),
        ("bomb.png", files.png_bomb(), "looks unsafe"),
        ("archive.zip", files.zip_archive(), "cannot accept this type"),
        ("renamed-zip.jpg", files.zip_archive(), "cannot accept this type"),
        (
            "script.pdf",
            files.pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
            "looks unsafe",
        ),
        ("late.pdf", b"junk" + files.pdf(), "cannot accept this type"),
        ("empty.jpg", b"", "empty"),
        ("text.txt", b"just some words", "cannot accept this type"),
    ],
)
def test_hostile_files_are_refused_with_a_clear_message(draft, name, content, message):
    with pytest.raises(EvidenceRejected) as refused:
        store_evidence(upload(content, name=name), draft=draft)
    assert message in refused.value.message
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "name", ["../../etc/passwd.jpg", "..\\..\\windows\\win.ini.jpg", "a/b.jpg", "nul\x00.jpg"]
)
def test_path_traversal_names_are_refused(name):
    # Web uploads arrive with the name already cut to its last part by Django;
    # email attachments and other channels hand us the raw name.
    with pytest.raises(EvidenceRejected) as refused:
        check_file(name, upload(files.jpeg()))
    assert "name is not allowed" in refused.value.message


def test_stored_files_are_named_by_us_never_by_the_sender(draft):
    evidence = store_evidence(upload(files.jpeg(), name="my holiday.jpg"), draft=draft)
    assert evidence.original_name == "my holiday.jpg"
    assert "holiday" not in evidence.original.name


def test_an_oversized_file_is_refused_without_reading_it_all(draft, settings):
    settings.CAIRN_EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(EvidenceRejected) as refused:
        store_evidence(upload(files.jpeg(size=(400, 400))), draft=draft)
    assert "too big" in refused.value.message


def test_too_many_files_for_one_report(draft, settings):
    settings.CAIRN_EVIDENCE_MAX_FILES = 2
    store_evidence(upload(files.jpeg()), draft=draft)
    store_evidence(upload(files.png(), "b.png"), draft=draft)
    with pytest.raises(EvidenceRejected) as refused:
        store_evidence(upload(files.jpeg(), "c.jpg"), draft=draft)
    assert "up to 2 files" in refused.value.message


@pytest.mark.parametrize(
    ("language", "limit", "expected"),
    [
        ("en", 1, "up to 1 file to one report"),
        ("pl", 1, "najwyżej 1 plik."),
        ("pl", 3, "najwyżej 3 pliki."),
        ("pl", 5, "najwyżej 5 plików."),
        ("uk", 1, "щонайбільше 1 файл."),
        ("uk", 22, "щонайбільше 22 файли."),
        ("uk", 11, "щонайбільше 11 файлів."),
    ],
)
def test_the_limit_on_files_is_said_in_the_right_plural(draft, settings, language, limit, expected):
    settings.CAIRN_EVIDENCE_MAX_FILES = limit
    for number in range(limit):
        store_evidence(upload(files.png(), f"{number}.png"), draft=draft)
    with translation.override(language), pytest.raises(EvidenceRejected) as refused:
        store_evidence(upload(files.jpeg(), "one-more.jpg"), draft=draft)
    assert expected in refused.value.message


def test_a_removed_file_is_gone_from_the_draft(draft, django_capture_on_commit_callbacks):
    evidence = store_evidence(upload(files.jpeg()), draft=draft)
    path = evidence.original.path
    with django_capture_on_commit_callbacks(execute=True):
        remove_evidence(evidence, draft=draft)
    assert not Evidence.objects.exists()
    assert not os.path.exists(path)


def test_without_a_scanner_a_file_waits_for_a_scan(draft):
    evidence = store_evidence(upload(files.jpeg()), draft=draft)
    assert evidence.scan_status == ScanStatus.PENDING


class FakeClamd:
    """A real Unix-socket server speaking clamd's INSTREAM protocol."""

    def __init__(self, path: str):
        self.path = path
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(path)
        self.server.listen(4)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            with connection:
                command = b""
                while not command.endswith(b"\0"):
                    command += connection.recv(1)
                assert command == b"zINSTREAM\0"
                body = b""
                while True:
                    (length,) = struct.unpack("!L", self._exact(connection, 4))
                    if length == 0:
                        break
                    body += self._exact(connection, length)
                found = b"EICAR" in body
                connection.sendall(b"stream: Eicar-Signature FOUND\0" if found else b"stream: OK\0")

    @staticmethod
    def _exact(connection, count):
        data = b""
        while len(data) < count:
            data += connection.recv(count - len(data))
        return data

    def close(self):
        self.server.close()


@pytest.fixture
def clamd(settings, tmp_path):
    fake = FakeClamd(str(tmp_path / "clamd.sock"))
    settings.CAIRN_CLAMD_ADDRESS = f"unix:{fake.path}"
    yield fake
    fake.close()


def test_a_clean_file_is_marked_clean_by_the_scanner(draft, clamd):
    evidence = store_evidence(upload(files.jpeg()), draft=draft)
    assert scan_evidence(evidence_id=evidence.pk) == ScanStatus.CLEAN
    evidence.refresh_from_db()
    assert evidence.scan_status == ScanStatus.CLEAN
    assert evidence.scanned_at is not None


def test_an_infected_file_is_withheld(draft, clamd):
    # The scanner sees what our own checks cannot: here, a signature inside a valid PDF.
    evidence = store_evidence(
        upload(files.pdf(b"/Title (EICAR)"), "letter.pdf", "application/pdf"), draft=draft
    )
    assert scan_evidence(evidence_id=evidence.pk) == ScanStatus.INFECTED


def test_the_upload_schedules_a_scan_when_a_scanner_is_configured(draft, clamd):
    from procrastinate.contrib.django.models import ProcrastinateJob

    evidence = store_evidence(upload(files.jpeg()), draft=draft)
    job = ProcrastinateJob.objects.get(task_name="contacts.scan_evidence")
    assert job.args == {"evidence_id": evidence.pk}
