from django.core.management.base import BaseCommand

from cairn.audit.chain import seal_pending


class Command(BaseCommand):
    help = "Add every committed, unsealed audit event to the hash chain."

    def handle(self, *args, **options):
        count = seal_pending()
        self.stdout.write(f"sealed {count} audit events")
