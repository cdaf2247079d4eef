from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "cairn.partners"
    label = "partners"
    verbose_name = "Partner agencies"
