from django.apps import AppConfig


class ResolutionConfig(AppConfig):
    name = "cairn.resolution"
    label = "resolution"
    verbose_name = "Resolution Team work"

    def ready(self) -> None:
        # Registers the triage hand-off (cairn/triage/hand_offs.py) this app does.
        from cairn.resolution import hand_off  # noqa: F401
