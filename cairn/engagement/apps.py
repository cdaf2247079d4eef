from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "cairn.engagement"
    label = "engagement"
    verbose_name = "Feedback, complaints and engagement"
