from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "cairn.places"
    label = "places"
    verbose_name = "Places"
