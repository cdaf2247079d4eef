"""The benchmark endpoints alone, for tests: cairn/urls.py decides at import time."""

from django.urls import include, path

urlpatterns = [path("bench/", include("cairn.benchmarks.urls"))]
