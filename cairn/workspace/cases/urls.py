"""Cases (mounted at /staff/cases/): the worklist and the case page with its actions.

The names are the workspace's own ("workspace:case_detail"), not a nested
namespace, so other parts link to a case by one stable name.
"""

from django.urls import path

from cairn.workspace.cases import case_views, views

urlpatterns = [
    path("", views.worklist, name="cases_worklist"),
    path("<str:reference>/", case_views.case_detail, name="case_detail"),
    path("<str:reference>/take/", views.take, name="case_take"),
    path("<str:reference>/updates/", case_views.update, name="case_add_update"),
    path("<str:reference>/calls/", case_views.resolution_contact, name="case_resolution_contact"),
    path("<str:reference>/video-link/", case_views.video_link, name="case_video_link"),
    path("<str:reference>/crime/", case_views.crime, name="case_record_crime"),
    path("<str:reference>/hand-on/", case_views.hand_on_case, name="case_hand_on"),
    path("<str:reference>/close/", case_views.close, name="case_close"),
    path("<str:reference>/acknowledge/", case_views.acknowledge, name="case_acknowledge"),
]
