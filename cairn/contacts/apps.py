from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "cairn.contacts"
    label = "contacts"
    verbose_name = "Contacts"
