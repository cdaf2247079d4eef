from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "cairn.dispatch"
    label = "dispatch"
    verbose_name = "Command and control hand-off"
