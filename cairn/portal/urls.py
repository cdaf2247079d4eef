from django.urls import include, path

from cairn.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("report/", include("cairn.portal.reporting.urls")),
]
