from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cairn.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        # A broken category policy stops the process at start, not at the first case.
        from cairn.cases.categories import incident_categories

        incident_categories()
