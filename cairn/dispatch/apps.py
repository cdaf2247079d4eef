from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "cairn.dispatch"
    label = "dispatch"
    verbose_name = "Command and control hand-off"

    def ready(self) -> None:
        # Registers the triage hand-off (cairn/triage/hand_offs.py) this app does.
        from cairn.dispatch import hand_off  # noqa: F401
