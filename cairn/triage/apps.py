from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "cairn.triage"
    label = "triage"
    verbose_name = "Triage"
