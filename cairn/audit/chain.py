"""The hash chain over the audit log.

Writers only INSERT (no lock, no waiting on each other). The sealer, one at a
time under an advisory lock, gives each committed unsealed row the next
``seq`` and ``hash = sha256(prev_hash + canonical row)``. The database lets a
row's seal columns be set exactly once and nothing else ever change, so a
sealed row edited or deleted behind the trigger's back breaks the chain, and
``verify_chain`` finds where.
"""

import hashlib
import json
from dataclasses import dataclass

from django.db import connection, transaction

from cairn.audit.models import AuditEvent

GENESIS = "0" * 64
SEAL_LOCK_KEY = 0x0CA1_0A0D  # pg_advisory_xact_lock key for the sealer

# The columns a seal covers, in order. Adding one is a chain-format change.
SEALED_COLUMNS = (
    "id",
    "seq",
    "occurred_at",
    "actor_id",
    "actor_username",
    "actor_role",
    "operation",
    "object_type",
    "object_id",
    "fields",
    "channel",
    "outcome",
    "purpose",
    "context",
    "request_id",
)


def row_digest(row: dict, prev_hash: str) -> str:
    values = {name: row[name] for name in SEALED_COLUMNS}
    values["occurred_at"] = row["occurred_at"].isoformat()
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + "\n" + canonical).encode()).hexdigest()


def _rows(queryset):
    return queryset.values(*SEALED_COLUMNS, "prev_hash", "hash")


def seal_pending(batch_size: int = 5000) -> int:
    """Seal committed unsealed rows in id order; return how many were sealed."""
    sealed = 0
    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])
            last = (
                AuditEvent.objects.filter(seq__isnull=False)
                .order_by("-seq")
                .values("seq", "hash")
                .first()
            )
            seq, prev_hash = (last["seq"], last["hash"]) if last else (0, GENESIS)
            pending = list(
                _rows(AuditEvent.objects.filter(seq__isnull=True).order_by("id")[:batch_size])
            )
            if not pending:
                return sealed
            updates = []
            for row in pending:
                seq += 1
                row["seq"] = seq
                digest = row_digest(row, prev_hash)
                updates.append(AuditEvent(id=row["id"], seq=seq, prev_hash=prev_hash, hash=digest))
                prev_hash = digest
            AuditEvent.objects.bulk_update(updates, ["seq", "prev_hash", "hash"])
            sealed += len(updates)


@dataclass
class ChainReport:
    verified: int
    unsealed: int
    problems: list[str]

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_chain(max_problems: int = 20) -> ChainReport:
    """Recompute the chain from the first sealed row; list every break found."""
    problems: list[str] = []
    expected_seq, prev_hash, verified = 1, GENESIS, 0
    sealed_rows = _rows(AuditEvent.objects.filter(seq__isnull=False).order_by("seq"))
    for row in sealed_rows.iterator(chunk_size=5000):
        if row["seq"] != expected_seq:
            problems.append(
                f"rows missing: expected seq {expected_seq}, found {row['seq']} (id {row['id']})"
            )
        if row["prev_hash"] != prev_hash:
            problems.append(f"seq {row['seq']} (id {row['id']}): link to the previous row broken")
        if row_digest(row, row["prev_hash"]) != row["hash"]:
            problems.append(f"seq {row['seq']} (id {row['id']}): contents changed since sealing")
        if len(problems) >= max_problems:
            break
        expected_seq, prev_hash, verified = row["seq"] + 1, row["hash"], verified + 1
    unsealed = AuditEvent.objects.filter(seq__isnull=True).count()
    return ChainReport(verified=verified, unsealed=unsealed, problems=problems)
