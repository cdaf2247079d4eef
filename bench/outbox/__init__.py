"""Outbox delivery latency: from a public case update committed to the message at the provider.

    make bench ARGS="outbox"
    make bench ARGS="outbox --rounds 5 --duration 5"
    CAIRN_PG_DATA=var/pgbench DATABASE_URL=… .venv/bin/python -m bench.outbox   # alone

What runs: the real path. ``cairn.cases.services.add_update(public=True)`` in
this process commits the update with its outbox row and its delivery job
(``tell_the_person`` → ``queue_message``, one transaction); a real worker
*process*, started exactly as ``make run`` starts it (``manage.py procrastinate
worker``, LISTEN/NOTIFY on, here only its ``notify`` queue and
``--concurrency`` from ``CAIRN_BENCH_OUTBOX_CONCURRENCY``, default 1 as make
run) claims the row and sends it: text messages by HTTP to a local SMS provider
stand-in, emails by SMTP (Django's SMTP backend) to a local aiosmtpd server
(``stand_ins.py``). Both stand-ins answer at once and note the monotonic time
each message arrived, keyed by recipient (each update goes to its own case,
whose reporter has their own address or number).

**Latency** (part A): updates at a fixed, modest rate (``RATE`` per second,
email and SMS alternating) for ``rounds × duration`` seconds after a warm-up;
each message's latency runs from the moment ``add_update`` returned (the
commit) to its arrival at the stand-in. p50, p95, p99 and max, per channel and
for both.

**Throughput** (part B): ``BURST`` updates (half email, half SMS) written in
one transaction, so their jobs become visible together at its commit and the
worker drains a queue of ``BURST``: messages per second = ``BURST`` ÷ (last
arrival − commit).

A run is INVALID if any message did not arrive within ``ARRIVAL_TIMEOUT``
seconds of the last commit, arrived more than once, or its outbox row is not
"sent". The benchmark writes contacts, cases and messages, and its worker sends
whatever the outbox holds to the stand-ins, so it runs only on the bench
database (var/pgbench) or where ``CAIRN_BENCH_DISPOSABLE_DB=1`` says so.
The worker's log goes to var/bench/outbox-worker.log. ``server`` (granian) is
not used: no HTTP request of ours is on this path.
"""

import logging
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.outbox.stand_ins import TOKEN, SmsProvider, SmtpServer
from bench.preflight import disposable_database_refusal

NAME = "outbox"
TITLE = "Outbox: public case update committed → message at the SMS provider / SMTP server"
ROOT = Path(__file__).resolve().parents[2]
WORKER_LOG = ROOT / "var" / "bench" / "outbox-worker.log"
RATE = 10.0  # updates per second in part A
WARMUP_MESSAGES = 10
BURST = 200
ARRIVAL_TIMEOUT = 60.0
CHANNELS = ("email", "sms")

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: lines per message otherwise


class PreflightError(RuntimeError):
    pass


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def describe(values: list[float]) -> str:
    if not values:
        return "no samples"
    return (
        f"p50 {statistics.median(values):7.1f} ms, p95 {percentile(values, 0.95):7.1f} ms, "
        f"p99 {percentile(values, 0.99):7.1f} ms, max {max(values):7.1f} ms (n={len(values)})"
    )


@dataclass
class Report:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {c: [] for c in CHANNELS})
    commit_ms: list[float] = field(default_factory=list)
    burst_seconds: float = 0.0
    burst_commit_seconds: float = 0.0
    burst_per_second: float = 0.0
    problems: list[str] = field(default_factory=list)
    concurrency: int = 1
    rate: float = RATE
    started: Any = None  # when the run began (its outbox rows are newer)

    @property
    def valid(self) -> bool:
        return not self.problems

    def summary(self) -> list[str]:
        lines = [f"-- {NAME}: {TITLE}"]
        lines.append(
            f"   worker     manage.py procrastinate worker --queues notify "
            f"--concurrency {self.concurrency} (LISTEN/NOTIFY)"
        )
        lines.append(f"   A latency  commit → arrival, {self.rate:g} updates/s")
        for channel in CHANNELS:
            lines.append(f"     {channel:<6}   {describe(self.latencies[channel])}")
        both = [value for values in self.latencies.values() for value in values]
        lines.append(f"     both     {describe(both)}")
        lines.append(f"     commit   add_update itself: {describe(self.commit_ms)}")
        lines.append(
            f"   B burst    {BURST} updates in one transaction "
            f"({self.burst_commit_seconds:.2f} s); "
            f"all {BURST} delivered {self.burst_seconds:.2f} s after its commit: "
            f"{self.burst_per_second:.1f} messages/s"
        )
        verdict = "valid" if self.valid else "INVALID: " + "; ".join(self.problems[:5])
        lines.append(f"   verdict    {verdict}")
        return lines


# Setting up ----------------------------------------------------------------------------------


def _require_disposable_database() -> None:
    refusal = disposable_database_refusal(
        "the outbox benchmark's worker sends every queued message to its stand-ins"
    )
    if refusal:
        raise PreflightError(refusal)


def _officer():
    from django.contrib.auth import get_user_model

    from cairn.demo.data import load_demo_data

    load_demo_data()  # idempotent
    return get_user_model().objects.get(username="resolution")


@dataclass(frozen=True)
class Target:
    case: Any
    channel: str
    recipient: str  # as the stand-in sees it: lower-case email or E.164 number


def _cases(count: int, officer, run: str, offset: int) -> list[Target]:
    """``count`` cases, each with a reporter of its own address; email and SMS alternating."""
    from cairn.audit.context import acting_as
    from cairn.cases.services import open_case
    from cairn.contacts.services import ContactSubmission, receive_contact

    targets = []
    with acting_as("command"):
        for number in range(offset, offset + count):
            channel = CHANNELS[number % 2]
            if channel == "email":
                address = f"outbox-{run}-{number}@bench.invalid"
                fields = {"reporter_email": address}
                recipient = address
            else:
                digits = f"1{(int(run) * 1_000 + number) % 100_000:05d}"  # 07911 1xxxxx: valid
                fields = {"reporter_phone": f"07911 {digits}", "preferred_contact": "sms"}
                recipient = f"+447911{digits}"
            receipt = receive_contact(
                ContactSubmission(
                    channel="web_form",
                    narrative="Benchmark report.",
                    category="crime.theft",
                    reporter_name="Bench Reporter",
                    **fields,
                )
            )
            case = open_case(receipt.contact, category="crime.theft", actor=officer)
            targets.append(Target(case=case, channel=channel, recipient=recipient))
    return targets


def _start_worker(sms: SmsProvider, smtp: SmtpServer, concurrency: int) -> subprocess.Popen:
    environment = {
        **os.environ,
        "CAIRN_SMS_PROVIDER_URL": sms.url,
        "CAIRN_SMS_PROVIDER_TOKEN": TOKEN,
        "CAIRN_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "CAIRN_EMAIL_HOST": smtp.host,
        "CAIRN_EMAIL_PORT": str(smtp.port),
        "CAIRN_EMAIL_USE_TLS": "false",
    }
    WORKER_LOG.parent.mkdir(parents=True, exist_ok=True)
    with WORKER_LOG.open("ab") as log:
        return subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "procrastinate",
                "worker",
                "--queues",
                "notify",
                "--concurrency",
                str(concurrency),
            ],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


# Measuring -------------------------------------------------------------------------------------


def _arrival(target: Target, sms: SmsProvider, smtp: SmtpServer) -> float | None:
    arrivals = sms.arrivals if target.channel == "sms" else smtp.arrivals
    return arrivals.first.get(target.recipient)


def _wait_for(targets: list[Target], sms: SmsProvider, smtp: SmtpServer) -> list[Target]:
    """Wait until every target's message arrived (or the timeout); return those missing."""
    deadline = time.monotonic() + ARRIVAL_TIMEOUT
    while time.monotonic() < deadline:
        missing = [t for t in targets if _arrival(t, sms, smtp) is None]
        if not missing:
            return []
        time.sleep(0.01)
    return [t for t in targets if _arrival(t, sms, smtp) is None]


def _update(target: Target, officer) -> tuple[float, float]:
    """Commit a public update on the target's case: (monotonic time before, after the commit)."""
    from cairn.audit.context import acting_as
    from cairn.cases.services import add_update

    with acting_as("command"):
        started = time.monotonic()
        add_update(target.case, text="Benchmark update.", public=True, actor=officer)
        return started, time.monotonic()


def _check_outbox(targets: list[Target], report: Report, sms, smtp) -> None:
    """Each target's outbox row is "sent", and the stand-in got its message once."""
    from cairn.notify.models import MessageStatus, OutboundMessage

    rows = OutboundMessage.objects.filter(
        template="case_updated",
        recipient__in=[t.recipient for t in targets],
        created_at__gte=report.started,
    )
    # The stand-in has the message a moment before the worker records "sent".
    deadline = time.monotonic() + 10
    while rows.exclude(status=MessageStatus.SENT).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    unsent = rows.exclude(status=MessageStatus.SENT).count()
    if unsent or rows.count() != len(targets):
        report.problems.append(f"{unsent} of {rows.count()} outbox rows not sent")
    twice = [
        t
        for t in targets
        if (sms.arrivals if t.channel == "sms" else smtp.arrivals).count.get(t.recipient, 0) > 1
    ]
    if twice:
        report.problems.append(f"{len(twice)} message(s) arrived more than once")


def _latency_part(targets, officer, sms, smtp, report: Report, seconds: float) -> None:
    committed: list[tuple[Target, float]] = []
    start = time.monotonic()
    for index, target in enumerate(targets):
        due = start + index / report.rate
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        before, after = _update(target, officer)
        report.commit_ms.append((after - before) * 1000)
        committed.append((target, after))
        if after - start > seconds:
            break
    missing = _wait_for([t for t, _ in committed], sms, smtp)
    if missing:
        report.problems.append(f"part A: {len(missing)} message(s) never arrived")
    for target, at in committed:
        arrived = _arrival(target, sms, smtp)
        if arrived is not None:
            report.latencies[target.channel].append((arrived - at) * 1000)
    _check_outbox([t for t, _ in committed], report, sms, smtp)


def _burst_part(targets, officer, sms, smtp, report: Report) -> None:
    """All BURST updates in one transaction: their jobs appear together at its commit, so
    what follows is the worker draining a queue of BURST messages."""
    from django.db import transaction

    started = time.monotonic()
    with transaction.atomic():
        for target in targets:
            _update(target, officer)
    committed = time.monotonic()
    report.burst_commit_seconds = committed - started
    missing = _wait_for(targets, sms, smtp)
    if missing:
        report.problems.append(f"part B: {len(missing)} message(s) never arrived")
        return
    last = max(_arrival(t, sms, smtp) for t in targets)
    report.burst_seconds = last - committed
    report.burst_per_second = len(targets) / report.burst_seconds
    _check_outbox(targets, report, sms, smtp)


def run(server: Any = None, plan: Any = None) -> Report:
    _require_disposable_database()
    rounds = getattr(plan, "rounds", 5)
    duration = getattr(plan, "duration", 5)
    concurrency = int(os.environ.get("CAIRN_BENCH_OUTBOX_CONCURRENCY", "1"))
    from django.utils import timezone

    report = Report(concurrency=concurrency, started=timezone.now())
    seconds = rounds * duration
    run_id = str(int(time.time()) % 100)
    officer = _officer()
    print(f"{NAME}: preparing cases …", flush=True)
    measured = int(seconds * RATE) + 1
    warmup = _cases(WARMUP_MESSAGES, officer, run_id, 0)
    latency_targets = _cases(measured, officer, run_id, WARMUP_MESSAGES)
    burst_targets = _cases(BURST, officer, run_id, WARMUP_MESSAGES + measured)
    sms, smtp = SmsProvider(), SmtpServer()
    worker = _start_worker(sms, smtp, concurrency)
    try:
        print(f"{NAME}: warm-up ({WARMUP_MESSAGES} messages) …", flush=True)
        for target in warmup:
            _update(target, officer)
        if _wait_for(warmup, sms, smtp):
            report.problems.append(f"the worker sent nothing in {ARRIVAL_TIMEOUT:g} s")
            return report
        print(f"{NAME}: A, {RATE:g} updates/s for {seconds} s …", flush=True)
        _latency_part(latency_targets, officer, sms, smtp, report, seconds)
        print(f"{NAME}: B, a burst of {BURST} …", flush=True)
        _burst_part(burst_targets, officer, sms, smtp, report)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=5)
        sms.close()
        smtp.close()
    for line in report.summary():
        print(line, flush=True)
    return report
