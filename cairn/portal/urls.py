from django.urls import include, path

from cairn.portal import tracking, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("open-data/", include("cairn.portal.open_data.urls")),
    path("report/", include("cairn.portal.reporting.urls")),
    path("track/", tracking.track_start, name="track"),
    path("track/<str:reference>/", tracking.track_status, name="track_status"),
    path("my-history/", include("cairn.portal.my_history.urls")),
    path("track/<str:reference>/appointment/", include("cairn.portal.appointments.urls")),
    path("track/<str:reference>/", include("cairn.portal.follow_up.urls")),
]
