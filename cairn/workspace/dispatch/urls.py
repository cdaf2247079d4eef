"""The dispatch board (/staff/dispatch/): url names at the workspace level, "dispatch_…"."""

from django.urls import path

from cairn.workspace.dispatch import views

urlpatterns = [
    path("", views.dispatch_board, name="dispatch_board"),
    path("incidents/<int:incident_id>/assign/", views.dispatch_assign, name="dispatch_assign"),
    path("incidents/<int:incident_id>/status/", views.dispatch_status, name="dispatch_status"),
    path("incidents/<int:incident_id>/retry/", views.dispatch_retry, name="dispatch_retry"),
]
