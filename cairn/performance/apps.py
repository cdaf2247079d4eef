from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "cairn.performance"
    label = "performance"
    verbose_name = "Performance framework"
