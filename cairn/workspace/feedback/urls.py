"""Feedback for staff who read it (READ_FEEDBACK), mounted at /staff/feedback/."""

from django.urls import path

from cairn.workspace.feedback import views

app_name = "feedback"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("complaints/<int:complaint_id>/", views.complaint, name="complaint"),
]
