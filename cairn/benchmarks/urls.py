"""Benchmark-only endpoints; cairn/urls.py mounts these at /bench/ when CAIRN_BENCH=1."""

from django.urls import path

from cairn.benchmarks import views

app_name = "benchmarks"
urlpatterns = [
    path("reference", views.reference, name="reference"),
    path("intake", views.intake, name="intake"),
    path("intake-floor", views.intake_floor, name="intake_floor"),
]
