from django.core.management.base import BaseCommand

from cairn.demo.data import demo_totp_code, demo_totp_secret_base32


class Command(BaseCommand):
    help = "Print the current authenticator code shared by every demo login."

    def handle(self, *args, **options):
        self.stdout.write(f"{demo_totp_code()}  (demo key {demo_totp_secret_base32()})")
