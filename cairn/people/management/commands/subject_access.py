"""manage.py subject_access PERSON_ID --as USERNAME [--format json|html] [--output FILE]"""

import json
import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from cairn.audit.context import acting_as
from cairn.people.models import Person
from cairn.people.subject_access import render_subject_access_html, subject_access_export


class Command(BaseCommand):
    help = "Export everything held on a person (subject access request), as JSON or HTML."

    def add_arguments(self, parser):
        parser.add_argument("person_id", type=int)
        parser.add_argument("--as", dest="username", required=True, help="the staff user exporting")
        parser.add_argument("--format", choices=["json", "html"], default="json")
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(
        self, *args, person_id: int, username: str, format: str, output: str | None, **options
    ):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username!r}.")
        if not Person.objects.filter(pk=person_id).exists():
            raise CommandError(f"No person with id {person_id}.")
        with acting_as("command", user=user):
            try:
                export = subject_access_export(person_id, user=user)
            except PermissionDenied as error:
                raise CommandError(f"{username} may not export: {error}") from error
        if format == "json":
            text = json.dumps(export, ensure_ascii=False, indent=2)
        else:
            text = render_subject_access_html(export)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stderr.write(f"Wrote {output}")
        else:
            sys.stdout.write(text + "\n")
