from django.core.management.base import BaseCommand, CommandError

from cairn.audit.chain import verify_chain


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain and report any row edited, removed or reordered."

    def handle(self, *args, **options):
        report = verify_chain()
        self.stdout.write(
            f"verified {report.verified} sealed audit events; {report.unsealed} not yet sealed"
        )
        if not report.intact:
            for problem in report.problems:
                self.stderr.write(f"TAMPERING: {problem}")
            raise CommandError("the audit log's hash chain is broken")
        self.stdout.write("the audit log's hash chain is intact")
