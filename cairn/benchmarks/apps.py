from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    name = "cairn.benchmarks"
    label = "benchmarks"
    verbose_name = "Benchmarks"
