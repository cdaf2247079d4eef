"""``manage.py generate_demand --contacts N``: synthetic national history for the dashboards.

See cairn/performance/synthetic/ for what it writes, and docs/performance.md.
"""

import sys
import time
from datetime import date, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cairn.performance.rollups import catch_up
from cairn.performance.synthetic import Plan, generate


class Progress:
    """A progress bar on stderr: done, rate and time left, redrawn at most ten times a second."""

    WIDTH = 30

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.stream = total, 0, stream
        self.started = self.drawn = time.monotonic()

    def __call__(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self.drawn < 0.1 and self.done < self.total:
            return
        self.drawn = now
        elapsed = now - self.started
        share = self.done / self.total if self.total else 1
        rate = self.done / elapsed if elapsed else 0
        left = (self.total - self.done) / rate if rate else 0
        filled = int(share * self.WIDTH)
        self.stream.write(
            f"\rcontacts [{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.done:,}/{self.total:,}"
            f" {share:4.0%} {rate:,.0f}/s {elapsed:.0f}s elapsed, ~{left:.0f}s left "
        )
        self.stream.flush()

    def finish(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--end takes a date as YYYY-MM-DD, not {text!r}") from error


class Command(BaseCommand):
    help = "Write synthetic contacts, calls and events (COPY), then fold them into the rollups."

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, required=True, help="How many contacts.")
        parser.add_argument("--days", type=int, default=365, help="Days of history (365).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (1).")
        parser.add_argument(
            "--end", type=_day, default=None, help="Last day, YYYY-MM-DD (yesterday, London)."
        )
        parser.add_argument(
            "--batch", type=int, default=25000, help="Contacts per transaction (25,000)."
        )

    def handle(self, *args, contacts, days, seed, end, batch, **options):
        if settings.PRODUCTION:
            raise CommandError("generate_demand writes made-up contacts: never in production.")
        if contacts < 1 or days < 1 or batch < 1:
            raise CommandError("--contacts, --days and --batch must be at least 1.")
        plan = Plan(
            contacts=contacts,
            days=days,
            seed=seed,
            end=end or timezone.localdate() - timedelta(days=1),
        )
        progress = Progress(contacts, self.stderr._out if options["verbosity"] else _Silent())
        started = time.monotonic()
        written = generate(plan, batch_size=batch, progress=progress)
        progress.finish()
        generated = time.monotonic() - started
        self.stdout.write(
            f"Wrote {written.contacts:,} contacts, {written.calls:,} calls and {written.events:,}"
            f" events ({plan.first} to {plan.end}) in {generated:.1f} s"
            f" ({written.contacts / generated:,.0f} contacts/s)."
        )
        started = time.monotonic()
        caught = catch_up()
        self.stdout.write(
            f"Rollups caught up: {caught.events:,} events into {caught.cells:,} cells"
            f" in {time.monotonic() - started:.1f} s."
        )


class _Silent:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass
