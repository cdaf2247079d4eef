from django.apps import AppConfig


class ThrottleConfig(AppConfig):
    name = "cairn.throttle"
    label = "throttle"
    verbose_name = "Rate limits"
