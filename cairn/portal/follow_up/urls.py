"""/track/<reference>/…: the person's message, closure survey and complaint (portal namespace)."""

from django.urls import path

from cairn.portal.follow_up import views

urlpatterns = [
    path("message/", views.message, name="follow_up_message"),
    path("message/sent/", views.message_sent, name="follow_up_message_sent"),
    path("survey/", views.survey, name="follow_up_survey"),
    path("survey/done/", views.survey_done, name="follow_up_survey_done"),
    path("complaint/", views.complaint, name="follow_up_complaint"),
    path(
        "complaint/<str:complaint_reference>/",
        views.complaint_received,
        name="follow_up_complaint_received",
    ),
]
