from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "cairn.contacts"
    label = "contacts"
    verbose_name = "Contacts"

    def ready(self) -> None:
        from cairn.contacts import checks  # noqa: F401 (registers the system checks)
        from cairn.contacts.report_forms import load_forms

        # A broken form definition stops the process at start, not at a member
        # of the public's first click.
        load_forms()
