"""Online reporting: one question per page, driven by the form definitions in policy/forms/."""

from django.urls import path

from cairn.contacts.report_forms import load_forms
from cairn.portal.reporting import views

# Read and check every form definition as the URLs load (the first request, or
# `manage.py check`), so a broken file stops the service instead of a person.
load_forms()

app_name = "reporting"
urlpatterns = [
    path("", views.index, name="index"),
    path("emergency/", views.emergency, name="emergency"),
    path("resume/<str:token>/", views.resume, name="resume"),
    path("resume/<str:token>/check/", views.check, name="check"),
    path("resume/<str:token>/saved/", views.saved, name="saved"),
    path("resume/<str:token>/done/", views.done, name="done"),
    path("resume/<str:token>/<slug:question_id>/", views.question, name="question"),
    path("resume/<str:token>/<slug:question_id>/remove/", views.remove_file, name="remove_file"),
    path("<slug:slug>/", views.start, name="start"),
]
