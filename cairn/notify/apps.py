from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "cairn.notify"
    label = "notify"
    verbose_name = "Outbound messages"
