from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "cairn.workspace"
    label = "workspace"
    verbose_name = "Staff workspace"
