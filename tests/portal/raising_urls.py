"""A URLconf whose one view fails, for the 500 page test."""

from django.urls import path


def broken_view(request):
    raise RuntimeError("internal detail that must never reach the public")


urlpatterns = [path("broken/", broken_view)]
