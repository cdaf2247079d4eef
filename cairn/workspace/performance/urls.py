"""Performance dashboards (VIEW_PERFORMANCE), mounted at /staff/performance/."""

from django.urls import path

from cairn.workspace.performance import views

app_name = "performance"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("<slug:code>/", views.measure, name="measure"),
    path("<slug:code>/export.<str:file_format>", views.export, name="export"),
]
