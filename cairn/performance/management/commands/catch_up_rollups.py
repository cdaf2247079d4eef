"""``manage.py catch_up_rollups``: fold what the event log gained into the rollups, now.

The periodic task does this every minute; this is for after a bulk load or a
migration that emptied the cells (the first run then folds the whole log).
"""

import time

from django.core.management.base import BaseCommand

from cairn.performance.rollups import catch_up


class Command(BaseCommand):
    help = "Fold every event committed since the last run into the performance rollups."

    def handle(self, *args, **options):
        started = time.monotonic()
        caught = catch_up()
        self.stdout.write(
            f"Rollups caught up: {caught.events:,} events into {caught.cells:,} cells"
            f" in {time.monotonic() - started:.1f} s."
        )
