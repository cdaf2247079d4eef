from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "cairn.triage"
    label = "triage"
    verbose_name = "Triage"

    def ready(self) -> None:
        # Load and check the CAM policy now: a broken policy stops the process at
        # start (with the file and key at fault), not at the first contact.
        from cairn.triage.policy import current_policy

        current_policy()
