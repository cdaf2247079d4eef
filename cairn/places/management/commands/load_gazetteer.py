from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cairn.places.gazetteer import GazetteerFormatError, load_gazetteer


class Command(BaseCommand):
    help = (
        "Load a force's own address gazetteer from a CSV file (format: docs/places.md). "
        "Bad rows are reported by line number and left out; the rest load."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the gazetteer CSV file")

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            report = load_gazetteer(file)
        except GazetteerFormatError as error:
            raise CommandError(f"{file}: {error}") from error
        for bad in report.bad_rows:
            self.stderr.write(f"{file}:{bad.line}: {bad.message}")
        if report.bad_count > len(report.bad_rows):
            self.stderr.write(f"… and {report.bad_count - len(report.bad_rows)} more bad rows")
        self.stdout.write(
            f"gazetteer: {report.loaded} addresses loaded ({report.changed} new or changed) "
            f"from {report.rows} rows, {report.bad_count} bad, in {report.seconds:.1f} s"
        )
