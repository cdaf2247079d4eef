from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "cairn.appointments"
    label = "appointments"
    verbose_name = "Local Policing Appointments"
