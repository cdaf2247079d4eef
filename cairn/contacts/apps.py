from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "cairn.contacts"
    label = "contacts"
    verbose_name = "Contacts"

    def ready(self) -> None:
        from cairn.contacts import checks  # noqa: F401 (registers the system checks)
