from django.core.management.base import BaseCommand

from cairn.demo.data import load_demo_data


class Command(BaseCommand):
    help = "Load the demonstration divisions, teams and staff logins (never in production)."

    def handle(self, *args, **options):
        logins = load_demo_data()
        self.stdout.write(f"demo data ready: {len(logins)} staff logins")
