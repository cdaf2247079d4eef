"""Supervisor quality review, a handler's feedback, the quality measure and policy versions."""

from django.urls import path

from cairn.workspace.review import views

app_name = "review"
urlpatterns = [
    path("", views.waiting, name="waiting"),
    path("<int:review_id>/", views.review, name="review"),
    path("feedback/", views.feedback, name="feedback"),
    path("quality/", views.quality, name="quality"),
    path("policy/", views.policy, name="policy"),
]
