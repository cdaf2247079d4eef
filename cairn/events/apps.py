from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "cairn.events"
    label = "events"
    verbose_name = "Domain events"
