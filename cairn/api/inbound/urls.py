"""Inbound channel webhooks: one signed endpoint per channel adapter."""

from django.urls import path

from cairn.api.inbound.views import receive

app_name = "inbound"
urlpatterns = [
    path("<str:channel>/", receive, name="receive"),
]
