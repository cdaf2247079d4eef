from django.db import transaction
from django.utils import timezone
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from cairn.contacts.drafts import purge_expired_drafts
from cairn.contacts.models import Evidence, ScanStatus
from cairn.contacts.scanning import ScannerUnavailable, scan_bytes
from cairn.events.services import record_event


@app.task(
    name="contacts.scan_evidence",
    queue="evidence",
    retry=RetryStrategy(max_attempts=12, exponential_wait=5, retry_exceptions={ScannerUnavailable}),
)
def scan_evidence(evidence_id: int) -> str:
    """Scan one uploaded file with clamd and record the verdict (retried while clamd is down)."""
    evidence = Evidence.objects.filter(pk=evidence_id, scan_status=ScanStatus.PENDING).first()
    if evidence is None:
        return "nothing to scan"
    with evidence.original.open("rb") as handle:
        verdict = scan_bytes(handle.read())
    with transaction.atomic():
        evidence.scan_status = ScanStatus.INFECTED if verdict.infected else ScanStatus.CLEAN
        evidence.scanned_at = timezone.now()
        evidence.save(update_fields=["scan_status", "scanned_at"])
        record_event(
            "evidence.scanned",
            subject_type="evidence",
            subject_id=evidence.pk,
            data={"infected": verdict.infected},
        )
    return evidence.scan_status


@app.periodic(cron="23 3 * * *", periodic_id="drafts-purge")
@app.task(name="contacts.purge_expired_drafts", queueing_lock="drafts-purge")
def purge_drafts(timestamp: int) -> int:
    """Nightly: unsent drafts past their expiry go, with their files."""
    return purge_expired_drafts()
