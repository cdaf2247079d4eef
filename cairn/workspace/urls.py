from django.urls import include, path

from cairn.workspace import views

app_name = "workspace"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_search, name="audit_search"),
    path("calls/", include("cairn.workspace.calls.urls")),
    path("queue/", include("cairn.workspace.triage.urls")),
    path("review/", include("cairn.workspace.review.urls")),
    path("people/", include("cairn.workspace.people.urls")),
    path("cases/", include("cairn.workspace.cases.urls")),
    path("appointments/", include("cairn.workspace.appointments.urls")),
    path("dispatch/", include("cairn.workspace.dispatch.urls")),
    path("partners/", include("cairn.workspace.partners.urls")),
    path("feedback/", include("cairn.workspace.feedback.urls")),
    path("performance/", include("cairn.workspace.performance.urls")),
]
