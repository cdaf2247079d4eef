"""The triage queue and the triage page of one contact (mounted at /staff/queue/)."""

from django.urls import path

from cairn.workspace.triage import views

app_name = "triage"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("table/", views.queue_table, name="queue_table"),
    path("<int:contact_id>/", views.contact_page, name="contact"),
    path("<int:contact_id>/claim/", views.claim, name="claim"),
    path("<int:contact_id>/release/", views.release, name="release"),
    path("<int:contact_id>/assess/", views.assess, name="assess"),
    path("<int:contact_id>/decide/", views.decide, name="decide"),
    path("<int:contact_id>/regrade/", views.regrade, name="regrade"),
    path("<int:contact_id>/transfer/", views.transfer, name="transfer"),
    path("<int:contact_id>/cues/<int:cue_id>/dismiss/", views.dismiss_cue, name="dismiss_cue"),
]
